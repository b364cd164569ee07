import React, { useState, useCallback } from 'react';

interface Todo {
  id: number;
  text: string;
  done: boolean;
}

interface Props {
  initial?: Todo[];
  onChange?: (todos: Todo[]) => void;
}

export function TodoItem({ todo, onToggle }: { todo: Todo; onToggle: (id: number) => void }) {
  return (
    <li className={todo.done ? 'done' : ''} onClick={() => onToggle(todo.id)}>
      {todo.text}
    </li>
  );
}

export default function TodoList({ initial = [], onChange }: Props) {
  const [todos, setTodos] = useState<Todo[]>(initial);
  const [draft, setDraft] = useState('');

  const toggle = useCallback(
    (id: number) => {
      const next = todos.map((t) => (t.id === id ? { ...t, done: !t.done } : t));
      setTodos(next);
      onChange?.(next);
    },
    [todos, onChange],
  );

  const add = () => {
    if (!draft.trim()) return;
    const next = [...todos, { id: Date.now(), text: draft, done: false }];
    setTodos(next);
    setDraft('');
    onChange?.(next);
  };

  return (
    <div className="todo-list">
      <input value={draft} onChange={(e) => setDraft(e.target.value)} placeholder="What next?" />
      <button onClick={add}>Add</button>
      <ul>
        {todos.map((t) => (
          <TodoItem key={t.id} todo={t} onToggle={toggle} />
        ))}
      </ul>
      <p>{todos.filter((t) => !t.done).length} left</p>
    </div>
  );
}
