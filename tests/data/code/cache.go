// Package cache is an LRU cache with closures and methods.
package cache

import (
	"container/list"
	"sync"
)

// Cache holds at most Cap entries.
type Cache struct {
	mu    sync.Mutex
	Cap   int
	ll    *list.List
	items map[string]*list.Element
	onEvict func(key string, value any)
}

type entry struct {
	key   string
	value any
}

// New makes a cache; onEvict may be nil.
func New(capacity int, onEvict func(string, any)) *Cache {
	return &Cache{Cap: capacity, ll: list.New(), items: map[string]*list.Element{}, onEvict: onEvict}
}

// Get returns the value for key and marks it used.
func (c *Cache) Get(key string) (any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		c.ll.MoveToFront(el)
		return el.Value.(*entry).value, true
	}
	return nil, false
}

// Put stores a value, evicting the least recently used entry when full.
func (c *Cache) Put(key string, value any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		c.ll.MoveToFront(el)
		el.Value.(*entry).value = value
		return
	}
	el := c.ll.PushFront(&entry{key, value})
	c.items[key] = el
	if c.Cap > 0 && c.ll.Len() > c.Cap {
		last := c.ll.Back()
		c.ll.Remove(last)
		e := last.Value.(*entry)
		delete(c.items, e.key)
		if c.onEvict != nil {
			c.onEvict(e.key, e.value)
		}
	}
}

// Memo wraps f so that results are cached by key.
func Memo(c *Cache, f func(string) any) func(string) any {
	return func(key string) any {
		if v, ok := c.Get(key); ok {
			return v
		}
		v := f(key)
		c.Put(key, v)
		return v
	}
}
