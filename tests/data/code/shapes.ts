// Shapes with generics, interfaces, namespaces, enums and decorators.
export interface Shape {
  readonly kind: string;
  area(): number;
  perimeter(): number;
}

export enum Unit {
  Millimetre = 'mm',
  Centimetre = 'cm',
  Metre = 'm',
}

type Pair<T> = [T, T];

function sealed(constructor: Function) {
  Object.seal(constructor);
  Object.seal(constructor.prototype);
}

@sealed
export class Circle implements Shape {
  readonly kind = 'circle';
  constructor(private radius: number, public unit: Unit = Unit.Metre) {}

  area(): number {
    return Math.PI * this.radius * this.radius;
  }

  perimeter(): number {
    return 2 * Math.PI * this.radius;
  }
}

export class Rect implements Shape {
  readonly kind = 'rect';
  constructor(private size: Pair<number>) {}

  area(): number {
    const [w, h] = this.size;
    return w * h;
  }

  perimeter(): number {
    const [w, h] = this.size;
    return 2 * (w + h);
  }
}

export namespace Geometry {
  export class Registry<T extends Shape> {
    private items = new Map<string, T[]>();

    add(shape: T): this {
      const list = this.items.get(shape.kind) ?? [];
      list.push(shape);
      this.items.set(shape.kind, list);
      return this;
    }

    totalArea(kind?: string): number {
      let total = 0;
      for (const [k, list] of this.items) {
        if (kind && k !== kind) continue;
        for (const s of list) total += s.area();
      }
      return total;
    }
  }

  export function largest<T extends Shape>(shapes: T[]): T | undefined {
    return shapes.reduce<T | undefined>((best, s) => (!best || s.area() > best.area() ? s : best), undefined);
  }
}
