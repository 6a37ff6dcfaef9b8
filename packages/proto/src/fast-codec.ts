// Faster protobuf (de)serialisation for the few large messages (a page of 1,000 sessions), driven
// by the same descriptors @grpc/proto-loader loaded, so a change to the .proto files is followed.
//
// fastSerializer: the bytes proto-loader's own serializer writes (protobufjs fromObject, then
// encode: every field the object has, defaults included, in field-number order), without
// protobufjs's per-field operation objects, which made building a 1,000-session reply mostly
// garbage collection. It works in two passes (sizes, then bytes into one Buffer). Anything it
// does not reproduce exactly (a value of an unexpected type, bytes that are not canonical base64,
// a 64-bit value out of range) makes it hand the message to proto-loader's serializer instead,
// so the bytes are always protobufjs's.
//
// projectedDeserializer: decodes only the named fields of a message (the rest are skipped on the
// wire) into what proto-loader's deserializer gives for them (LOADER_OPTIONS: defaults, enums as
// names, 64-bit integers as strings, bytes as base64). For a caller that reads a few fields of
// many messages (the api-gateway's listMqSessions).
import type { PackageDefinition } from '@grpc/proto-loader';

interface FieldDescriptor {
  name: string;
  number: number;
  label: string;
  type: string;
  typeName: string;
}

interface EnumDescriptor {
  value: { name: string; number: number }[];
}

interface Field {
  name: string;
  number: number;
  repeated: boolean;
  type: string;
  /** The wire tag (number << 3 | wire type), as a varint's bytes. */
  tag: number[];
  message?: MessageCodec;
  enumByName?: Map<string, number>;
  enumByNumber?: Map<number, string>;
  /** Why fastSerializer cannot encode this field (a type it does not handle). */
  unsupported?: string;
}

interface MessageCodec {
  fullName: string;
  /** By field number (encoding order), as protobufjs encodes. */
  fields: Field[];
}

/** Thrown while sizing a message the fast path does not reproduce; the caller falls back. */
class Unsupported extends Error {}

const WIRE: Record<string, number> = {
  TYPE_DOUBLE: 1,
  TYPE_BOOL: 0,
  TYPE_STRING: 2,
  TYPE_BYTES: 2,
  TYPE_UINT32: 0,
  TYPE_INT32: 0,
  TYPE_UINT64: 0,
  TYPE_INT64: 0,
  TYPE_ENUM: 0,
  TYPE_MESSAGE: 2,
};

function varintBytes(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  while (v > 127) {
    out.push((v & 127) | 128);
    v >>>= 7;
  }
  out.push(v);
  return out;
}

/** The full name a field's type name refers to, searched from the message's scope outwards. */
function resolve(definition: PackageDefinition, scope: string, typeName: string): string {
  if (typeName.startsWith('.')) return typeName.slice(1);
  const parts = scope.split('.');
  for (let i = parts.length; i >= 0; i--) {
    const candidate = [...parts.slice(0, i), typeName].join('.');
    if (definition[candidate]) return candidate;
  }
  throw new Error(`fast-codec: type ${typeName} (in ${scope}) not found`);
}

function build(
  definition: PackageDefinition,
  fullName: string,
  cache: Map<string, MessageCodec>,
): MessageCodec {
  const known = cache.get(fullName);
  if (known) return known;
  const entry = definition[fullName] as { format?: string; type?: { field?: FieldDescriptor[] } } | undefined;
  if (!entry?.format?.includes('DescriptorProto') || !entry.type?.field) {
    throw new Error(`fast-codec: ${fullName} is not a message`);
  }
  const codec: MessageCodec = { fullName, fields: [] };
  cache.set(fullName, codec);
  const scope = fullName.slice(0, fullName.lastIndexOf('.'));
  for (const f of entry.type.field) {
    const repeated = f.label === 'LABEL_REPEATED';
    const field: Field = {
      name: f.name,
      number: f.number,
      repeated,
      type: f.type,
      tag: varintBytes(((f.number << 3) | (WIRE[f.type] ?? 0)) >>> 0),
    };
    // protobufjs packs repeated numbers; only strings, bytes and messages may repeat here.
    if (WIRE[f.type] === undefined) field.unsupported = f.type;
    else if (repeated && !['TYPE_STRING', 'TYPE_BYTES', 'TYPE_MESSAGE'].includes(f.type))
      field.unsupported = `repeated ${f.type}`;
    if (f.type === 'TYPE_MESSAGE') {
      const target = resolve(definition, scope, f.typeName);
      const nested = definition[target] as { type?: { options?: { mapEntry?: boolean } | null } };
      if (nested.type?.options?.mapEntry) field.unsupported = 'map';
      else field.message = build(definition, target, cache);
    } else if (f.type === 'TYPE_ENUM') {
      const target = resolve(definition, scope, f.typeName);
      const values = (definition[target] as unknown as { type: EnumDescriptor }).type.value;
      field.enumByName = new Map(values.map((v) => [v.name, v.number]));
      field.enumByNumber = new Map();
      // protobufjs's toObject names a number by its first name.
      for (const v of values) if (!field.enumByNumber.has(v.number)) field.enumByNumber.set(v.number, v.name);
    }
    codec.fields.push(field);
  }
  codec.fields.sort((a, b) => a.number - b.number);
  return codec;
}

// ---- encoding ---------------------------------------------------------------------------------
//
// Each message gets two generated functions (as protobufjs generates its own): size (checks the
// values, records each message's size and each converted value in a Plan) and write (writes the
// bytes the Plan says). Generated code reads properties by name, which keeps a page of objects of
// one shape fast; a loop over field descriptors reading o[name] was barely faster than protobufjs.

const CANONICAL_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const EMPTY_BYTES = new Uint8Array(0);
const UINT64_TEXT = /^(?:0|[1-9]\d{0,19})$/;
const UINT64_MAX = (1n << 64n) - 1n;
const INT64_LIMIT = 1n << 63n;

/** Between the passes, in visiting order: each message's size and each converted value. */
interface Plan {
  sizes: number[];
  values: unknown[];
  /** Entries used by this message (the arrays are kept from one message to the next). */
  sn: number;
  vn: number;
}

class Output {
  pos = 0;
  /** The next entries of plan.sizes and plan.values to use. */
  si = 0;
  vi = 0;
  constructor(
    readonly buf: Buffer,
    readonly sizes: number[],
    readonly values: unknown[],
  ) {}
}

const varintSize = (v: number): number =>
  v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;

/** The helpers generated code calls (its only access to this module). */
const helpers = {
  Unsupported,
  /** int32 (and enum) varint size: protobufjs writes a negative one as ten bytes. */
  size32: (v: number): number => (v < 0 ? 10 : varintSize(v)),
  varintSize,
  /** A string's UTF-8 length; Unsupported for one protobufjs would write differently. */
  stringLength(v: unknown): number {
    if (typeof v !== 'string') throw new Unsupported();
    const n = v.length;
    if (n < 64) {
      let i = 0;
      while (i < n && v.charCodeAt(i) < 0x80) i++;
      if (i === n) return n;
    }
    // protobufjs writes a lone surrogate of a short string differently from Buffer's UTF-8.
    if (!(v as unknown as { isWellFormed(): boolean }).isWellFormed()) throw new Unsupported();
    return Buffer.byteLength(v, 'utf8');
  },
  /** bytes as protobufjs's fromObject converts them: base64 text, or a Uint8Array as it is. */
  bytes(v: unknown): Uint8Array {
    if (typeof v === 'string') {
      if (v === '') return EMPTY_BYTES; // most will payloads: no Buffer per session
      if (!CANONICAL_BASE64.test(v)) throw new Unsupported();
      return Buffer.from(v, 'base64');
    }
    if (v instanceof Uint8Array) return v;
    throw new Unsupported();
  },
  /** An enum's number as protobufjs's fromObject sets it; undefined when it leaves it unset. */
  enumValue(v: unknown, byName: Map<string, number>): number | undefined {
    if (typeof v === 'string') {
      const n = byName.get(v);
      return n === undefined ? undefined : n | 0;
    }
    if (typeof v === 'number') return v | 0;
    if (v === null || v === undefined) return undefined;
    throw new Unsupported();
  },
  /** A 64-bit value (decimal text or a safe integer): a number when safe, else a bigint. */
  long(v: unknown, signed: boolean): number | bigint {
    if (typeof v === 'number') {
      if (Number.isSafeInteger(v) && v >= 0) return v;
      throw new Unsupported();
    }
    if (typeof v !== 'string' || !UINT64_TEXT.test(v)) throw new Unsupported();
    if (v.length <= 15) return Number(v);
    const big = BigInt(v);
    if (big > UINT64_MAX || (signed && big >= INT64_LIMIT)) throw new Unsupported();
    return big;
  },
  longSize(v: number | bigint): number {
    let size = 1;
    if (typeof v === 'number') {
      for (let x = Math.floor(v / 128); x > 0; x = Math.floor(x / 128)) size++;
    } else {
      for (let x = v >> 7n; x > 0n; x >>= 7n) size++;
    }
    return size;
  },
  varint(out: Output, v: number): void {
    const buf = out.buf;
    while (v > 127) {
      buf[out.pos++] = (v & 127) | 128;
      v >>>= 7;
    }
    buf[out.pos++] = v;
  },
  int32(out: Output, v: number): void {
    if (v >= 0) return helpers.varint(out, v);
    // Sign-extended to 64 bits: ten bytes, as protobufjs writes it.
    let lo = v >>> 0;
    let hi = 0xffffffff;
    const buf = out.buf;
    while (hi) {
      buf[out.pos++] = (lo & 127) | 128;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    helpers.varint(out, lo);
  },
  writeLong(out: Output, v: number | bigint): void {
    const buf = out.buf;
    if (typeof v === 'number') {
      while (v > 127) {
        buf[out.pos++] = (v % 128) | 128;
        v = Math.floor(v / 128);
      }
      buf[out.pos++] = v;
      return;
    }
    while (v > 127n) {
      buf[out.pos++] = Number(v & 127n) | 128;
      v >>= 7n;
    }
    buf[out.pos++] = Number(v);
  },
  writeString(out: Output, v: string, len: number): void {
    if (len === v.length && len < 64) {
      // ASCII (a byte per character).
      const buf = out.buf;
      for (let i = 0; i < len; i++) buf[out.pos++] = v.charCodeAt(i);
    } else {
      out.pos += out.buf.write(v, out.pos, len, 'utf8');
    }
  },
  writeBytes(out: Output, v: Uint8Array): void {
    out.buf.set(v, out.pos);
    out.pos += v.length;
  },
};

type SizeFn = (o: unknown, plan: Plan) => number;
type WriteFn = (o: unknown, out: Output) => void;

/** Generates the size and write functions of a message and of every message it contains. */
function generate(root: MessageCodec): { size: SizeFn; write: WriteFn } {
  const codecs: MessageCodec[] = [];
  const visit = (c: MessageCodec): void => {
    if (codecs.includes(c)) return;
    codecs.push(c);
    for (const f of c.fields) if (f.message) visit(f.message);
  };
  visit(root);
  const enums: Map<string, number>[] = [];
  const lines: string[] = [];
  const prop = (name: string): string => `o[${JSON.stringify(name)}]`;
  for (const [i, codec] of codecs.entries()) {
    // size
    lines.push(`function s${i}(o, p) {`);
    lines.push(`  if (typeof o !== "object" || o === null || Array.isArray(o)) throw new h.Unsupported();`);
    lines.push(`  const slot = p.sn++; p.sizes[slot] = 0;`);
    lines.push(`  let n = 0, v, x;`);
    for (const f of codec.fields) {
      const t = f.tag.length;
      let one: string; // size of one value `x` (after its tag), pushing converted values
      switch (f.type) {
        case 'TYPE_STRING':
          one = `{ const l = h.stringLength(x); p.values[p.vn++] = l; n += ${t} + h.varintSize(l) + l; }`;
          break;
        case 'TYPE_BYTES':
          one = `{ const b = h.bytes(x); p.values[p.vn++] = b; n += ${t} + h.varintSize(b.length) + b.length; }`;
          break;
        case 'TYPE_BOOL':
          one = `n += ${t + 1};`;
          break;
        case 'TYPE_DOUBLE':
          one = `{ if (typeof x !== "number") throw new h.Unsupported(); n += ${t + 8}; }`;
          break;
        case 'TYPE_UINT32':
          one = `{ if (typeof x !== "number") throw new h.Unsupported(); n += ${t} + h.varintSize(x >>> 0); }`;
          break;
        case 'TYPE_INT32':
          one = `{ if (typeof x !== "number") throw new h.Unsupported(); n += ${t} + h.size32(x | 0); }`;
          break;
        case 'TYPE_UINT64':
        case 'TYPE_INT64':
          one = `{ const b = h.long(x, ${f.type === 'TYPE_INT64'}); p.values[p.vn++] = b; n += ${t} + h.longSize(b); }`;
          break;
        case 'TYPE_ENUM':
          enums.push(f.enumByName!);
          one = `{ const e = h.enumValue(x, enums[${enums.length - 1}]); p.values[p.vn++] = e; if (e !== undefined) n += ${t} + h.size32(e); }`;
          break;
        case 'TYPE_MESSAGE':
          one = `{ const l = s${codecs.indexOf(f.message!)}(x, p); n += ${t} + h.varintSize(l) + l; }`;
          break;
        default:
          throw new Error(`fast-codec: ${codec.fullName}.${f.name} (${f.type}) is not supported`);
      }
      lines.push(`  v = ${prop(f.name)};`);
      if (f.repeated) {
        lines.push(`  if (v != null) {`);
        lines.push(`    if (!Array.isArray(v)) throw new h.Unsupported();`);
        lines.push(`    for (let i = 0; i < v.length; i++) {`);
        lines.push(`      x = v[i];`);
        if (!f.message) lines.push(`      if (x == null) throw new h.Unsupported();`);
        lines.push(`      ${one}`);
        lines.push(`    }`);
        lines.push(`  }`);
      } else if (f.type === 'TYPE_ENUM') {
        // fromObject's switch: null and unknown names leave the field unset (enumValue: undefined).
        lines.push(`  x = v; ${one}`);
      } else {
        lines.push(`  if (v != null) { x = v; ${one} }`);
      }
    }
    lines.push(`  p.sizes[slot] = n;`);
    lines.push(`  return n;`);
    lines.push(`}`);
    // write
    lines.push(`function w${i}(o, out) {`);
    lines.push(`  const buf = out.buf;`);
    lines.push(`  out.si++;`);
    lines.push(`  let v, x;`);
    for (const f of codec.fields) {
      const tag = f.tag.map((b) => `buf[out.pos++] = ${b};`).join(' ');
      let one: string;
      switch (f.type) {
        case 'TYPE_STRING':
          one = `{ const l = out.values[out.vi++]; ${tag} h.varint(out, l); if (l > 0) h.writeString(out, x, l); }`;
          break;
        case 'TYPE_BYTES':
          one = `{ const b = out.values[out.vi++]; ${tag} h.varint(out, b.length); h.writeBytes(out, b); }`;
          break;
        case 'TYPE_BOOL':
          one = `{ ${tag} buf[out.pos++] = x ? 1 : 0; }`;
          break;
        case 'TYPE_DOUBLE':
          one = `{ ${tag} out.pos = buf.writeDoubleLE(x, out.pos); }`;
          break;
        case 'TYPE_UINT32':
          one = `{ ${tag} h.varint(out, x >>> 0); }`;
          break;
        case 'TYPE_INT32':
          one = `{ ${tag} h.int32(out, x | 0); }`;
          break;
        case 'TYPE_UINT64':
        case 'TYPE_INT64':
          one = `{ const b = out.values[out.vi++]; ${tag} h.writeLong(out, b); }`;
          break;
        case 'TYPE_ENUM':
          one = `{ const e = out.values[out.vi++]; if (e !== undefined) { ${tag} h.int32(out, e); } }`;
          break;
        default: // TYPE_MESSAGE
          one = `{ ${tag} h.varint(out, out.sizes[out.si]); w${codecs.indexOf(f.message!)}(x, out); }`;
      }
      lines.push(`  v = ${prop(f.name)};`);
      if (f.repeated) lines.push(`  if (v != null) for (let i = 0; i < v.length; i++) { x = v[i]; ${one} }`);
      else if (f.type === 'TYPE_ENUM') lines.push(`  x = v; ${one}`);
      else lines.push(`  if (v != null) { x = v; ${one} }`);
    }
    lines.push(`}`);
  }
  lines.push(`return { size: s0, write: w0 };`);
  const make = new Function('h', 'enums', lines.join('\n')) as (
    h: typeof helpers,
    enums: Map<string, number>[],
  ) => { size: SizeFn; write: WriteFn };
  return make(helpers, enums);
}

/** Throws when a message (or one it contains) has a field the encoder does not handle. */
function checkEncodable(codec: MessageCodec, seen = new Set<MessageCodec>()): void {
  if (seen.has(codec)) return;
  seen.add(codec);
  for (const f of codec.fields) {
    if (f.unsupported)
      throw new Error(`fast-codec: ${codec.fullName}.${f.name} (${f.unsupported}) is not supported`);
    if (f.message) checkEncodable(f.message, seen);
  }
}

/**
 * A serializer for the message `fullName` of the package definition that writes the bytes of the
 * definition's own serializer, faster; it uses that serializer for a message it cannot reproduce.
 * Throws when the message (or one it contains) has a field type it does not handle.
 */
export function fastSerializer<T>(
  definition: PackageDefinition,
  fullName: string,
  /** Called when a message goes to the definition's serializer (tests count these). */
  onFallback?: () => void,
): (value: T) => Buffer {
  const codec = build(definition, fullName, new Map());
  checkEncodable(codec);
  const { size: sizeOf, write } = generate(codec);
  const fallback = (definition[fullName] as unknown as { serialize: (value: T) => Buffer }).serialize;
  // Serialising is synchronous, so one plan serves every message of this serializer; reusing its
  // arrays spares growing two arrays of tens of thousands of entries per page.
  const plan: Plan = { sizes: [], values: [], sn: 0, vn: 0 };
  return (value: T): Buffer => {
    plan.sn = 0;
    plan.vn = 0;
    let size: number;
    try {
      size = sizeOf(value, plan);
    } catch (err) {
      if (err instanceof Unsupported) {
        plan.values.fill(0, 0, plan.vn);
        onFallback?.();
        return fallback(value);
      }
      throw err;
    }
    const out = new Output(Buffer.allocUnsafe(size), plan.sizes, plan.values);
    try {
      write(value, out);
    } finally {
      // Keep the arrays (a page's worth), not the values: bytes and bigints are the caller's.
      plan.values.fill(0, 0, plan.vn);
    }
    if (out.pos !== size) throw new Error(`fast-codec: ${fullName} wrote ${out.pos} of ${size} bytes`);
    return out.buf;
  };
}

// ---- projected decoding -----------------------------------------------------------------------

/** Fields to decode: true for a scalar, a nested projection for a message (or repeated message). */
export interface Projection {
  [field: string]: true | Projection;
}

const DECODABLE = new Set([
  'TYPE_STRING',
  'TYPE_BOOL',
  'TYPE_UINT32',
  'TYPE_INT32',
  'TYPE_ENUM',
  'TYPE_MESSAGE',
]);

class Input {
  pos = 0;
  constructor(readonly buf: Buffer) {}
  /** A varint's low 32 bits, as protobufjs's uint32() reads it (>>> 0 or | 0 by the caller). */
  varint(): number {
    const buf = this.buf;
    let value = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= buf.length) throw new RangeError('fast-codec: index out of range');
      const b = buf[this.pos++]!;
      if (shift < 32) value |= (b & 127) << shift;
      if (b < 128) return value;
      shift += 7;
      if (shift >= 70) throw new Error('fast-codec: invalid varint encoding');
    }
  }
  /** The end of a length-delimited value that starts here (its length read), within `end`. */
  delimited(end: number): number {
    const len = this.varint() >>> 0; // before reading pos: the varint moves it
    const stop = this.pos + len;
    if (stop > end) throw new RangeError('fast-codec: index out of range');
    return stop;
  }
  string(end: number): string {
    const stop = this.delimited(end);
    const s = (this.buf as unknown as { utf8Slice(start: number, end: number): string }).utf8Slice(
      this.pos,
      stop,
    );
    this.pos = stop;
    return s;
  }
  skip(wireType: number, end: number): void {
    switch (wireType) {
      case 0:
        this.varint();
        break;
      case 1:
        this.pos += 8;
        break;
      case 2:
        this.pos = this.delimited(end);
        break;
      case 5:
        this.pos += 4;
        break;
      default:
        throw new Error(`fast-codec: invalid wire type ${wireType}`);
    }
    if (this.pos > end) throw new RangeError('fast-codec: index out of range');
  }
}

/**
 * Generates a decoder of the projection's fields (each as proto-loader's deserializer gives it:
 * defaults, enums by name, repeated fields as arrays, an absent message as null; the last of a
 * repeated scalar or message wins, as in protobufjs) for the message and the messages it names.
 */
function generateDecoder(
  root: MessageCodec,
  rootProjection: Projection,
): (input: Input, end: number) => unknown {
  const lines: string[] = [];
  const enums: Map<number, string>[] = [];
  let count = 0;
  const visit = (codec: MessageCodec, projection: Projection): number => {
    const id = count++;
    const defaults: string[] = [];
    const cases: string[] = [];
    for (const [name, want] of Object.entries(projection)) {
      const field = codec.fields.find((f) => f.name === name);
      if (!field) throw new Error(`fast-codec: ${codec.fullName} has no field ${name}`);
      if (field.unsupported || !DECODABLE.has(field.type) || (field.repeated && !field.message))
        throw new Error(`fast-codec: cannot decode ${codec.fullName}.${name}`);
      if (field.message && want === true)
        throw new Error(`fast-codec: ${codec.fullName}.${name} needs a projection`);
      const key = JSON.stringify(name);
      const tag = (field.number << 3) | WIRE[field.type]!;
      let read: string;
      let initial: string;
      switch (field.type) {
        case 'TYPE_MESSAGE': {
          const sub = visit(field.message!, want as Projection);
          read = `{ const stop = r.delimited(end); const m = d${sub}(r, stop); ${
            field.repeated ? `o[${key}].push(m);` : `o[${key}] = m;`
          } }`;
          initial = field.repeated ? '[]' : 'null';
          break;
        }
        case 'TYPE_STRING':
          read = `o[${key}] = r.string(end);`;
          initial = '""';
          break;
        case 'TYPE_BOOL':
          read = `o[${key}] = r.varint() !== 0;`;
          initial = 'false';
          break;
        case 'TYPE_UINT32':
          read = `o[${key}] = r.varint() >>> 0;`;
          initial = '0';
          break;
        case 'TYPE_INT32':
          read = `o[${key}] = r.varint() | 0;`;
          initial = '0';
          break;
        default: {
          // TYPE_ENUM: by name (its first), or the number when the enum has no such value.
          enums.push(field.enumByNumber!);
          const e = `enums[${enums.length - 1}]`;
          read = `{ const n = r.varint() | 0; const s = ${e}.get(n); o[${key}] = s === undefined ? n : s; }`;
          initial = JSON.stringify(field.enumByNumber!.get(0) ?? 0);
        }
      }
      defaults.push(`${key}: ${initial}`);
      cases.push(`      case ${tag}: ${read} break;`);
    }
    lines.push(`function d${id}(r, end) {`);
    lines.push(`  const o = { ${defaults.join(', ')} };`);
    lines.push(`  while (r.pos < end) {`);
    lines.push(`    const tag = r.varint() >>> 0;`);
    lines.push(`    switch (tag) {`);
    lines.push(...cases);
    lines.push(`      default: r.skip(tag & 7, end);`);
    lines.push(`    }`);
    lines.push(`  }`);
    lines.push(`  if (r.pos !== end) throw new RangeError("fast-codec: index out of range");`);
    lines.push(`  return o;`);
    lines.push(`}`);
    return id;
  };
  visit(root, rootProjection);
  lines.push('return d0;');
  const make = new Function('enums', lines.join('\n')) as (
    enums: Map<number, string>[],
  ) => (input: Input, end: number) => unknown;
  return make(enums);
}

/**
 * A deserializer for `fullName` that decodes only the projection's fields, each as the
 * definition's own deserializer gives it; every other field is skipped.
 */
export function projectedDeserializer<T>(
  definition: PackageDefinition,
  fullName: string,
  projection: Projection,
): (buf: Buffer) => T {
  const decode = generateDecoder(build(definition, fullName, new Map()), projection);
  return (buf: Buffer): T => decode(new Input(buf), buf.length) as T;
}
