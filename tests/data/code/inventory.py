"""Inventory management: a small sample for hewn's code chunking tests."""

import functools
import json
from dataclasses import dataclass, field


def logged(prefix):
    """A decorator factory: a closure over prefix."""

    def wrap(fn):
        @functools.wraps(fn)
        def inner(*args, **kwargs):
            print(f"{prefix}: calling {fn.__name__}")
            return fn(*args, **kwargs)

        return inner

    return wrap


@dataclass
class Item:
    sku: str
    name: str
    quantity: int = 0
    tags: list = field(default_factory=list)


class Inventory:
    """Items by SKU, with a nested record of changes."""

    class Change:
        def __init__(self, sku, delta):
            self.sku = sku
            self.delta = delta

        def describe(self):
            sign = "+" if self.delta >= 0 else "-"
            return f"{self.sku} {sign}{abs(self.delta)}"

    def __init__(self):
        self.items = {}
        self.changes = []

    @logged("inventory")
    def add(self, item):
        self.items[item.sku] = item
        self.changes.append(Inventory.Change(item.sku, item.quantity))

    @property
    def total(self):
        return sum(i.quantity for i in self.items.values())

    def report(self, out, threshold=5, verbose=False):
        lines = []
        lines.append("SKU      NAME                 QTY")
        lines.append("-------- -------------------- ---")
        for sku in sorted(self.items):
            item = self.items[sku]
            marker = "!" if item.quantity < threshold else " "
            lines.append(f"{sku:8} {item.name:20} {item.quantity:3}{marker}")
            if verbose:
                for tag in item.tags:
                    lines.append(f"         tag: {tag}")
        low = [s for s, i in self.items.items() if i.quantity < threshold]
        if low:
            lines.append("")
            lines.append(f"{len(low)} items below {threshold}:")
            for sku in low:
                lines.append(f"  {sku}")
        lines.append("")
        lines.append(f"total quantity: {self.total}")
        lines.append(f"distinct items: {len(self.items)}")
        lines.append(f"changes logged: {len(self.changes)}")
        for change in self.changes[-10:]:
            lines.append("  " + change.describe())
        summary = {
            "total": self.total,
            "items": len(self.items),
            "low": low,
            "threshold": threshold,
        }
        lines.append(json.dumps(summary, sort_keys=True))
        text = "\n".join(lines)
        out.write(text)
        out.write("\n")
        return summary


def load(path):
    inv = Inventory()
    with open(path) as f:
        for row in json.load(f):
            inv.add(Item(**row))
    return inv
