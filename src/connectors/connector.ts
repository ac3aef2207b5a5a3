import type { z } from "zod";
import type { NativeRow, SourceChange } from "../core/types.js";

/**
 * A connector talks to one kind of system. The factory validates the system's options and
 * creates instances; an instance offers narrow, optional capabilities as optional members
 * (`reader`, `capture`, `writer`, `introspector`): the engine asks `if (c.writer)`, never
 * `instanceof`. Driver types (better-sqlite3, pg, mysql2) never leave the connector's folder.
 */
export interface ConnectorFactory<Options = unknown> {
  readonly kind: string;
  /** Schema of the options under `systems.NAME` (besides `connector`). */
  readonly optionsSchema: z.ZodType<Options>;
  create(options: Options, context: ConnectorContext): Connector;
}

/** What a connector instance knows of its surroundings. */
export interface ConnectorContext {
  /** The system's name in the config. */
  readonly system: string;
  /** Folder of the config file: relative paths resolve against it. */
  readonly baseDir: string;
  /** The resources (tables) Concord syncs in this system, from the bindings. */
  readonly resources: readonly ResourceSpec[];
}

/** One table or API resource as Concord uses it. */
export interface ResourceSpec {
  readonly name: string;
  /** Native key column. */
  readonly key: string;
  /** Native columns Concord reads and writes, key included. */
  readonly columns: readonly string[];
}

/** An instance bound to one system. */
export interface Connector {
  readonly kind: string;
  /** Connects; fails with a ConcordError (code "connector") naming the system when it cannot. */
  open(): Promise<void>;
  close(): Promise<void>;
  readonly reader?: SnapshotReader;
  readonly capture?: ChangeCapture;
  readonly writer?: RecordWriter;
  readonly introspector?: Introspector;
}

/** Reads whole resources. */
export interface SnapshotReader {
  /** Streams every row of a resource in batches; memory stays bounded whatever the size. */
  snapshot(resource: string, options?: { batchSize?: number }): AsyncIterable<NativeRow[]>;
}

/** A page of changes and the cursor after them. */
export interface ChangeBatch {
  readonly changes: readonly SourceChange[];
  /** Opaque; pass it back to read what comes after. Committed by the engine only after the hub. */
  readonly cursor: string;
  /** True when more changes are waiting right now. */
  readonly more: boolean;
}

/** Change capture: what changed since a cursor. */
export interface ChangeCapture {
  /** Installs capture (triggers, changelog table, slot) if absent. Idempotent. */
  install(): Promise<void>;
  /** Whether capture is installed for every resource. */
  isInstalled(): Promise<boolean>;
  /**
   * The feed's current end. A snapshot taken after reading it, plus the changes after it, see
   * every change: this is how a first contact or `--full` starts.
   */
  currentCursor(): Promise<string>;
  /**
   * Changes after `cursor` (null: from the start of the feed), oldest first, at most `limit`.
   * Several changes to one record may be folded into the latest. Concord's own writes are not
   * reported (or, if they are, they are echoes that the shadow compare turns into no-ops).
   */
  changes(cursor: string | null, options?: { limit?: number }): Promise<ChangeBatch>;
  /**
   * Called after the hub has committed everything up to `cursor`: the connector may now forget
   * what lies before it (prune its changelog, confirm a replication slot's LSN). Never called by
   * a dry run, so reading changes must never discard them.
   */
  acknowledge(cursor: string): Promise<void>;
  /** Removes everything `install` put there; says what it removed. */
  teardown(): Promise<string[]>;
  /** Calls `wake` soon after a change lands, for systems that can push; returns an unsubscribe. */
  subscribe?(wake: () => void): Promise<() => Promise<void>>;
}

/** One write Concord asks of a system. Rows hold native columns only. */
export type WriteOp =
  /** Creates a record. `ref` (the golden uid) is recorded with the new key in the same
   * transaction where the system allows it, so that a crash between the write and the hub's
   * acknowledgement never creates the record twice (see `findCreated`). */
  | { readonly op: "insert"; readonly ref: string; readonly row: NativeRow }
  | { readonly op: "update"; readonly key: string; readonly row: NativeRow }
  | { readonly op: "delete"; readonly key: string };

/** The outcome of one WriteOp, in the same position as the op. */
export type WriteResult =
  | { readonly ok: true; readonly key: string }
  | { readonly ok: false; readonly error: string; readonly retryable: boolean; readonly notFound?: boolean };

/** Writes records. */
export interface RecordWriter {
  /**
   * Applies ops in order, in as few transactions as the system allows. One op failing (a
   * constraint) does not fail the others; a system that is down throws a retryable ConcordError.
   * Updates and deletes of keys that do not exist answer `notFound`.
   */
  write(resource: string, ops: readonly WriteOp[]): Promise<WriteResult[]>;
  /**
   * For inserts whose acknowledgement may have been lost: ref → key of those that were created
   * AND still exist (a record created once and deleted since must be reported as not created).
   */
  findCreated?(resource: string, refs: readonly string[]): Promise<Map<string, string>>;
}

/** A native column as the system declares it. */
export interface ColumnInfo {
  readonly name: string;
  readonly type: string;
  readonly nullable: boolean;
}

/** Tells which resources and columns exist (for `validate --connect`). */
export interface Introspector {
  describe(resource: string): Promise<{ readonly columns: readonly ColumnInfo[] } | undefined>;
}
