/** A small seeded random source, so a demo can be replayed with `--seed`. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0 || 1;
  }

  /** A float in [0, 1). */
  next(): number {
    // xorshift32: tiny, fast and good enough for picking demo edits.
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state / 0x1_0000_0000;
  }

  int(max: number): number {
    return Math.floor(this.next() * max);
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new Error("pick from an empty list");
    return item;
  }
}

export const FIRST_NAMES = [
  "Ann",
  "Bob",
  "Chen",
  "Dora",
  "Emil",
  "Fatima",
  "Goran",
  "Hana",
  "Ivo",
  "Jana",
  "Kofi",
  "Lea",
];
export const LAST_NAMES = ["Lee", "Ray", "Okafor", "Novak", "Schmidt", "Haddad", "Ito", "Silva", "Moreau", "Kowalski"];

/** A person of the demo. */
export interface Person {
  readonly first: string;
  readonly last: string;
  readonly email: string;
  readonly birth: { readonly y: number; readonly m: number; readonly d: number };
  readonly tier: "free" | "pro" | "enterprise";
}

/** Makes a person with a unique e-mail address. */
export function makePerson(rnd: Random, n: number): Person {
  const first = rnd.pick(FIRST_NAMES);
  const last = rnd.pick(LAST_NAMES);
  return {
    first,
    last,
    email: `${first}.${last}${n}@example.com`.toLowerCase(),
    birth: { y: 1950 + rnd.int(50), m: 1 + rnd.int(12), d: 1 + rnd.int(28) },
    tier: rnd.pick(["free", "pro", "pro", "enterprise"] as const),
  };
}

/** A person's e-mail as another system's clerk typed it: other case, stray spaces. */
export function sloppyEmail(rnd: Random, email: string): string {
  const variants = [email.toUpperCase(), ` ${email}`, `${email} `, email.replace(/^./, (c) => c.toUpperCase())];
  return rnd.pick(variants);
}

export const pad = (n: number) => String(n).padStart(2, "0");
