/**
 * A decoder of the pgoutput messages (protocol version 1) that Concord needs, with column values
 * kept as the text PostgreSQL sends (the same text as `column::text`).
 * https://www.postgresql.org/docs/15/protocol-logicalrep-message-formats.html
 */

/** A tuple's column values: text, null, or undefined for an unchanged TOASTed value not sent. */
export type TupleValues = readonly (string | null | undefined)[];

/** The messages Concord acts on; the others (origin, type, truncate) are `skip`. */
export type PgoutputMessage =
  | { readonly tag: "begin" }
  | { readonly tag: "commit"; readonly endLsn: bigint; readonly commitTime: string }
  | {
      readonly tag: "relation";
      readonly oid: number;
      readonly schema: string;
      readonly name: string;
      readonly columns: readonly string[];
    }
  | { readonly tag: "insert"; readonly oid: number; readonly new: TupleValues }
  | { readonly tag: "update"; readonly oid: number; readonly old?: TupleValues; readonly new: TupleValues }
  | { readonly tag: "delete"; readonly oid: number; readonly old: TupleValues }
  | { readonly tag: "message"; readonly transactional: boolean; readonly prefix: string; readonly content: string }
  | { readonly tag: "skip" };

/** Microseconds from the Unix epoch to PostgreSQL's (2000-01-01). */
const PG_EPOCH_US = 946_684_800_000_000n;

class Reader {
  #at = 0;
  readonly #buf: Buffer;

  constructor(buf: Buffer) {
    this.#buf = buf;
  }

  u8(): number {
    return this.#buf.readUInt8(this.#at++);
  }

  i16(): number {
    const v = this.#buf.readInt16BE(this.#at);
    this.#at += 2;
    return v;
  }

  i32(): number {
    const v = this.#buf.readInt32BE(this.#at);
    this.#at += 4;
    return v;
  }

  u64(): bigint {
    const v = this.#buf.readBigUInt64BE(this.#at);
    this.#at += 8;
    return v;
  }

  /** A timestamp (microseconds since 2000-01-01) as ISO-8601 with milliseconds. */
  time(): string {
    const us = this.#buf.readBigInt64BE(this.#at) + PG_EPOCH_US;
    this.#at += 8;
    return new Date(Number(us / 1000n)).toISOString();
  }

  cstring(): string {
    const end = this.#buf.indexOf(0, this.#at);
    if (end < 0) throw new Error("pgoutput: unterminated string");
    const s = this.#buf.toString("utf8", this.#at, end);
    this.#at = end + 1;
    return s;
  }

  bytes(n: number): Buffer {
    const b = this.#buf.subarray(this.#at, this.#at + n);
    this.#at += n;
    return b;
  }

  tuple(): TupleValues {
    const values: (string | null | undefined)[] = [];
    for (let n = this.i16(); n > 0; n--) {
      const kind = String.fromCharCode(this.u8());
      if (kind === "n") values.push(null);
      else if (kind === "u") values.push(undefined);
      else if (kind === "t") values.push(this.bytes(this.i32()).toString("utf8"));
      else throw new Error(`pgoutput: unexpected tuple value kind "${kind}"`);
    }
    return values;
  }
}

/** Decodes one pgoutput message. */
export function decodePgoutput(buf: Buffer): PgoutputMessage {
  const r = new Reader(buf);
  const tag = String.fromCharCode(r.u8());
  switch (tag) {
    case "B": {
      return { tag: "begin" };
    }
    case "C": {
      r.u8(); // flags
      r.u64(); // the commit's LSN
      const endLsn = r.u64();
      return { tag: "commit", endLsn, commitTime: r.time() };
    }
    case "R": {
      const oid = r.i32();
      const schema = r.cstring();
      const name = r.cstring();
      r.u8(); // replica identity
      const columns: string[] = [];
      for (let n = r.i16(); n > 0; n--) {
        r.u8(); // flags
        columns.push(r.cstring());
        r.i32(); // type oid
        r.i32(); // type modifier
      }
      return { tag: "relation", oid, schema, name, columns };
    }
    case "I": {
      const oid = r.i32();
      r.u8(); // 'N'
      return { tag: "insert", oid, new: r.tuple() };
    }
    case "U": {
      const oid = r.i32();
      const kind = String.fromCharCode(r.u8());
      if (kind === "N") return { tag: "update", oid, new: r.tuple() };
      const old = r.tuple(); // 'K' (key columns only) or 'O' (the whole old row)
      r.u8(); // 'N'
      return { tag: "update", oid, old, new: r.tuple() };
    }
    case "D": {
      const oid = r.i32();
      r.u8(); // 'K' or 'O'
      return { tag: "delete", oid, old: r.tuple() };
    }
    case "M": {
      const transactional = (r.u8() & 1) === 1;
      r.u64(); // the message's LSN
      const prefix = r.cstring();
      const content = r.bytes(r.i32()).toString("utf8");
      return { tag: "message", transactional, prefix, content };
    }
    default:
      return { tag: "skip" };
  }
}

/** An LSN as PostgreSQL writes it: `16/B374D848`. */
export function formatLsn(lsn: bigint): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}

/** Parses `16/B374D848`; undefined when it is not an LSN. */
export function parseLsn(text: string): bigint | undefined {
  const m = /^([0-9A-F]{1,8})\/([0-9A-F]{1,8})$/i.exec(text);
  if (!m) return undefined;
  return (BigInt(`0x${m[1] ?? ""}`) << 32n) | BigInt(`0x${m[2] ?? ""}`);
}
