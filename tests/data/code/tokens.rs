//! A tokenizer with traits, impls, generics and macros.
use std::fmt;

macro_rules! keyword {
    ($name:ident, $text:expr) => {
        pub const $name: &str = $text;
    };
}

keyword!(LET, "let");
keyword!(FN, "fn");

#[derive(Debug, Clone, PartialEq)]
pub enum Token {
    Ident(String),
    Number(f64),
    Symbol(char),
}

pub trait Source {
    fn peek(&self) -> Option<char>;
    fn bump(&mut self) -> Option<char>;
}

pub struct Lexer<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    line: usize,
}

impl<'a> Lexer<'a> {
    pub fn new(text: &'a str) -> Self {
        Lexer { chars: text.chars().peekable(), line: 1 }
    }

    pub fn tokens(&mut self) -> Vec<Token> {
        let mut out = Vec::new();
        while let Some(c) = self.chars.next() {
            match c {
                '\n' => self.line += 1,
                c if c.is_whitespace() => {}
                c if c.is_alphabetic() => {
                    let mut s = c.to_string();
                    while let Some(&d) = self.chars.peek() {
                        if !d.is_alphanumeric() {
                            break;
                        }
                        s.push(d);
                        self.chars.next();
                    }
                    out.push(Token::Ident(s));
                }
                c if c.is_ascii_digit() => {
                    let mut s = c.to_string();
                    while let Some(&d) = self.chars.peek() {
                        if !(d.is_ascii_digit() || d == '.') {
                            break;
                        }
                        s.push(d);
                        self.chars.next();
                    }
                    out.push(Token::Number(s.parse().unwrap_or(0.0)));
                }
                c => out.push(Token::Symbol(c)),
            }
        }
        out
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Token::Ident(s) => write!(f, "{}", s),
            Token::Number(n) => write!(f, "{}", n),
            Token::Symbol(c) => write!(f, "{}", c),
        }
    }
}

mod tests {
    use super::*;

    #[test]
    fn lexes_words() {
        let toks = Lexer::new("let x = 42").tokens();
        assert_eq!(toks[0], Token::Ident("let".into()));
    }
}
