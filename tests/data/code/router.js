// A tiny HTTP router: closures, classes, arrow functions, generators.
'use strict';

const METHODS = ['GET', 'POST', 'PUT', 'DELETE'];

function makeCounter(start = 0) {
  let count = start;
  return {
    next: () => ++count,
    reset() {
      count = start;
    },
  };
}

class Route {
  constructor(method, pattern, handler) {
    this.method = method;
    this.keys = [];
    this.regex = new RegExp('^' + pattern.replace(/:(\w+)/g, (_, key) => {
      this.keys.push(key);
      return '([^/]+)';
    }) + '$');
    this.handler = handler;
  }

  match(method, path) {
    if (method !== this.method) return null;
    const m = this.regex.exec(path);
    if (!m) return null;
    const params = {};
    this.keys.forEach((key, i) => {
      params[key] = decodeURIComponent(m[i + 1]);
    });
    return params;
  }
}

class Router {
  constructor() {
    this.routes = [];
    this.hits = makeCounter();
    for (const method of METHODS) {
      this[method.toLowerCase()] = (pattern, handler) => this.add(method, pattern, handler);
    }
  }

  add(method, pattern, handler) {
    this.routes.push(new Route(method, pattern, handler));
    return this;
  }

  *matching(method, path) {
    for (const route of this.routes) {
      const params = route.match(method, path);
      if (params) yield [route, params];
    }
  }

  handle(req, res) {
    this.hits.next();
    for (const [route, params] of this.matching(req.method, req.url)) {
      req.params = params;
      return route.handler(req, res);
    }
    res.statusCode = 404;
    res.end('not found');
  }
}

const logRequests = (router) => (req, res) => {
  const started = Date.now();
  res.on('finish', () => {
    console.log(`${req.method} ${req.url} ${res.statusCode} ${Date.now() - started}ms`);
  });
  return router.handle(req, res);
};

module.exports = { Router, Route, makeCounter, logRequests };
