// Labels (FairCom label API, docs/json-api.md) in Postgres. Every change writes a label event to
// the outbox in the same transaction (outbox.ts publishes it). Messages name the JSON API properties
// (`enum`, `value`, `newName`, …) because the api-gateway shows them to the caller as they are.
import { randomUUID } from 'node:crypto';
import {
  invalidValue,
  MAX_LABEL_ID,
  missingProperty,
  MqfleetError,
  notFound,
  tooLarge,
  type FieldChange,
  type LabelEvent,
  type LabelEventType,
  type Subjects,
} from '@mqfleet/core';
import type {
  AlterLabelRequest__Output,
  AlterLabelResponse,
  ChangeLabelsRequest__Output,
  CreateLabelRequest__Output,
  Label__Output,
  LabelKey__Output,
  LabelValues__Output,
  ListLabelGroupsRequest__Output,
  ListLabelsRequest__Output,
  Session__Output,
  SessionPatch__Output,
} from '@mqfleet/proto';
import { inTransaction, type Db, type Tx } from './db';
import { OUTBOX_CHANNEL } from './outbox/writer';

export const MAX_LABEL_NAME_BYTES = 64;
export const MAX_LABEL_GROUP_BYTES = 64;
export const MAX_LABEL_TEXT_BYTES = 65_500;
export const MAX_LABEL_CHANGES = 10_000;
const SMALLINT_MIN = -32_768;
const SMALLINT_MAX = 32_767;

interface LabelRow {
  id: number;
  group: string;
  name: string;
  value: unknown;
  enum_value: number;
  sequence: number | null;
  deprecated: boolean;
  description: string | null;
  metadata: unknown;
  created_at: Date;
  updated_at: Date;
}

/** The fields a caller can set, in storage form (JSON values already parsed). */
interface LabelData {
  group: string;
  name: string;
  value: unknown;
  enum_value: number;
  sequence: number | null;
  deprecated: boolean;
  description: string | null;
  metadata: unknown;
}

/** Storage column → JSON API property, in the order changes are reported. */
const FIELD_NAMES: [keyof LabelData, string][] = [
  ['group', 'group'],
  ['name', 'name'],
  ['value', 'value'],
  ['enum_value', 'enum'],
  ['sequence', 'sequence'],
  ['deprecated', 'deprecated'],
  ['description', 'description'],
  ['metadata', 'metadata'],
];

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

export function rowToLabel(row: LabelRow, include = { description: true, metadata: true }): Label__Output {
  const label: Label__Output = {
    id: row.id,
    group: row.group,
    name: row.name,
    valueJson: JSON.stringify(row.value ?? null),
    enumValue: row.enum_value,
    deprecated: row.deprecated,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
  if (row.sequence !== null) label.sequence = row.sequence;
  if (include.description && row.description !== null) label.description = row.description;
  if (include.metadata) label.metadataJson = JSON.stringify(row.metadata ?? null);
  return label;
}

// ---- validation -------------------------------------------------------------------------------

function checkName(value: string, property: string): string {
  if (value === '') throw invalidValue(property, `1 to ${MAX_LABEL_NAME_BYTES} bytes of UTF-8`, value);
  if (bytes(value) > MAX_LABEL_NAME_BYTES) throw tooLarge(property, `${MAX_LABEL_NAME_BYTES} bytes`);
  return value;
}

function checkGroup(value: string, property: string): string {
  if (bytes(value) > MAX_LABEL_GROUP_BYTES) throw tooLarge(property, `${MAX_LABEL_GROUP_BYTES} bytes`);
  return value;
}

function parseJson(text: string, property: string): unknown {
  if (bytes(text) > MAX_LABEL_TEXT_BYTES) throw tooLarge(property, `${MAX_LABEL_TEXT_BYTES} bytes`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw invalidValue(property, 'a JSON value');
  }
}

function checkEnum(value: number, property: string): number {
  if (!Number.isInteger(value) || value < SMALLINT_MIN || value > SMALLINT_MAX) {
    throw invalidValue(property, `an integer from ${SMALLINT_MIN} to ${SMALLINT_MAX}`, value);
  }
  return value;
}

function checkSequence(value: number | string, property: string): number {
  const n = Number(value);
  if (!Number.isFinite(n)) throw invalidValue(property, 'a finite number', value);
  return n;
}

function checkId(value: number, property: string): number {
  if (!Number.isInteger(value) || value < 0 || value > MAX_LABEL_ID) {
    throw invalidValue(property, `an integer from 0 to ${MAX_LABEL_ID}`, value);
  }
  return value;
}

/** Applies the present fields of `values` to `base` (a create starts from the defaults). */
function applyValues(base: LabelData, values: LabelValues__Output | null, p: string): LabelData {
  const next = { ...base };
  if (!values) return next;
  // p is a path prefix ("labelsToChange[2].") or "new" (changeLabels by filter: newValue, newEnum…).
  const at = (property: string): string =>
    p === 'new' ? `new${property[0]!.toUpperCase()}${property.slice(1)}` : `${p}${property}`;
  if (values.valueJson !== undefined) next.value = parseJson(values.valueJson, at('value'));
  if (values.enumValue !== undefined) next.enum_value = checkEnum(values.enumValue, at('enum'));
  if (values.sequence !== undefined) next.sequence = checkSequence(values.sequence, at('sequence'));
  else if (values.clearSequence) next.sequence = null;
  if (values.deprecated !== undefined) next.deprecated = values.deprecated;
  if (values.description !== undefined) {
    if (bytes(values.description) > MAX_LABEL_TEXT_BYTES) {
      throw tooLarge(at('description'), `${MAX_LABEL_TEXT_BYTES} bytes`);
    }
    next.description = values.description === '' ? null : values.description;
  }
  if (values.metadataJson !== undefined) next.metadata = parseJson(values.metadataJson, at('metadata'));
  return next;
}

function hasValues(values: LabelValues__Output | null): boolean {
  if (!values) return false;
  return (
    values.clearSequence ||
    [
      values.valueJson,
      values.enumValue,
      values.sequence,
      values.deprecated,
      values.description,
      values.metadataJson,
    ].some((v) => v !== undefined)
  );
}

type Key = { id: number } | { group: string; name: string };

/** A label is named by `id` alone or by `name` (with `group`, default ""): exactly one way. */
export function parseKey(key: LabelKey__Output | null, p = ''): Key {
  const hasId = key?.id !== undefined;
  const hasName = key?.name !== undefined && key.name !== '';
  const hasGroup = key?.group !== undefined;
  if (hasId && (hasName || hasGroup)) {
    throw invalidValue(`${p}id`, 'given alone: name the label by "id" or by "group" and "name", not both');
  }
  if (hasId) return { id: checkId(key.id!, `${p}id`) };
  if (!hasName) {
    throw invalidValue(`${p}name`, 'given (with "group") when "id" is not: name the label one way');
  }
  return { group: checkGroup(key.group ?? '', `${p}group`), name: checkName(key.name!, `${p}name`) };
}

const describeKey = (key: Key): string =>
  'id' in key ? `label ${key.id}` : `label "${key.name}" in group "${key.group}"`;

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505';
}

const alreadyExists = (group: string, name: string): MqfleetError =>
  new MqfleetError('ALREADY_EXISTS', `a label named "${name}" already exists in group "${group}"`, 'name');

/** Values JSON-encoded for a jsonb parameter; SQL NULL for "none". */
const jsonParam = (value: unknown): string | null =>
  value === null || value === undefined ? null : JSON.stringify(value);

function changesBetween(before: LabelData, after: LabelData): Record<string, FieldChange> {
  const changes: Record<string, FieldChange> = {};
  for (const [column, property] of FIELD_NAMES) {
    const a = before[column] ?? null;
    const b = after[column] ?? null;
    if (JSON.stringify(a) !== JSON.stringify(b)) changes[property] = { before: a, after: b };
  }
  return changes;
}

interface Patch {
  key: Key;
  newGroup: string | undefined;
  newName: string | undefined;
  values: LabelValues__Output | null;
}

function parsePatch(
  req: {
    key: LabelKey__Output | null;
    newGroup?: string;
    newName?: string;
    values: LabelValues__Output | null;
  },
  p: string,
): Patch {
  const patch: Patch = {
    key: parseKey(req.key, p),
    newGroup: req.newGroup === undefined ? undefined : checkGroup(req.newGroup, `${p}newGroup`),
    newName: req.newName === undefined ? undefined : checkName(req.newName, `${p}newName`),
    values: req.values,
  };
  // Validates the values before any transaction starts.
  applyValues(DEFAULTS, req.values, p);
  return patch;
}

const DEFAULTS: LabelData = {
  group: '',
  name: '',
  value: null,
  enum_value: 0,
  sequence: null,
  deprecated: false,
  description: null,
  metadata: null,
};

// ---- session labels ---------------------------------------------------------------------------

/**
 * Resolves the label a session patch names to the value stored on the session, its id
 * (settings.labelId; 0 = no label). Call it BEFORE SessionStore.alter / alterMany, outside their
 * transaction: it reads the labels table only. `label_group` + `label_name` become `label_id`;
 * `label_id` is checked to exist. A label that does not exist is INVALID_VALUE (12012) naming
 * the property and the label. The foreign key of sessions.label_id (0007) still refuses a label
 * deleted between this check and the commit.
 */
export async function resolveSessionLabel(
  q: Db | Tx,
  patch: SessionPatch__Output | null | undefined,
): Promise<void> {
  if (!patch) return;
  const group = patch.labelGroup ?? undefined;
  const name = patch.labelName ?? undefined;
  const id = patch.labelId ?? undefined;
  if (id !== undefined && (group !== undefined || name !== undefined)) {
    throw invalidValue('labelId', 'absent when "label" is given (name the label one way)');
  }
  if (id !== undefined) {
    checkId(id, 'labelId');
    if (id === 0) return;
    const { rows } = await q.query<{ id: number }>('SELECT id FROM labels WHERE id = $1', [id]);
    if (rows.length === 0) {
      throw invalidValue('labelId', 'the id of an existing label (create it with createLabel)', id);
    }
    return;
  }
  if (name === undefined && group === undefined) return;
  delete patch.labelGroup;
  delete patch.labelName;
  if ((name ?? '') === '' && (group ?? '') === '') {
    patch.labelId = 0; // both "" removes the label (the gRPC form of "label": null)
    return;
  }
  if (name === undefined || name === '') throw missingProperty('label.name');
  checkGroup(group ?? '', 'label.group');
  checkName(name, 'label.name');
  const { rows } = await q.query<{ id: number }>('SELECT id FROM labels WHERE "group" = $1 AND name = $2', [
    group ?? '',
    name,
  ]);
  if (rows.length === 0) {
    throw new MqfleetError(
      'INVALID_VALUE',
      `"label" must name an existing label; there is no label "${name}" in group "${group ?? ''}" (create it with createLabel)`,
      'label',
    );
  }
  patch.labelId = rows[0]!.id;
}

/**
 * Fills settings.labelGroup / labelName of each session from the label its labelId names (one
 * query for all), so a renamed label shows its current name; "" when the session has no label.
 */
export async function attachLabels(
  q: Db | Tx,
  sessions: (Session__Output | null | undefined)[],
): Promise<void> {
  const ids = [...new Set(sessions.map((s) => s?.settings?.labelId ?? 0).filter((id) => id > 0))];
  const byId = new Map<number, { group: string; name: string }>();
  if (ids.length > 0) {
    const { rows } = await q.query<{ id: number; group: string; name: string }>(
      'SELECT id, "group", name FROM labels WHERE id = ANY($1::int[])',
      [ids],
    );
    for (const r of rows) byId.set(r.id, r);
  }
  for (const s of sessions) {
    if (!s?.settings) continue;
    const label = byId.get(s.settings.labelId ?? 0);
    s.settings.labelId = label ? s.settings.labelId : 0;
    s.settings.labelGroup = label?.group ?? '';
    s.settings.labelName = label?.name ?? '';
  }
}

// ---- store ------------------------------------------------------------------------------------

export class LabelStore {
  constructor(
    private readonly db: Db,
    private readonly subjects: Subjects,
  ) {}

  private async enqueue(
    tx: Tx,
    type: LabelEventType,
    label: Label__Output,
    actor: string,
    changes?: Record<string, FieldChange>,
  ): Promise<void> {
    const event: LabelEvent = {
      eventId: randomUUID(),
      type,
      id: label.id,
      at: new Date().toISOString(),
      actor,
      ...(changes ? { changes } : {}),
      label,
    };
    await tx.query('INSERT INTO outbox (subject, msg_id, payload) VALUES ($1, $2, $3)', [
      this.subjects.labelEvent(type, label.id),
      event.eventId,
      JSON.stringify(event),
    ]);
    await tx.query(`NOTIFY ${OUTBOX_CHANNEL}`);
  }

  async create(req: CreateLabelRequest__Output, actor: string): Promise<Label__Output> {
    if (req.name === '') throw missingProperty('name');
    const data = applyValues(
      { ...DEFAULTS, group: checkGroup(req.group, 'group'), name: checkName(req.name, 'name') },
      req.values,
      '',
    );
    return inTransaction(this.db, async (tx) => {
      let row: LabelRow;
      try {
        const res = await tx.query<LabelRow>(
          `INSERT INTO labels ("group", name, value, enum_value, sequence, deprecated, description, metadata)
           VALUES ($1, $2, $3::jsonb, $4, $5, $6, $7, $8::jsonb) RETURNING *`,
          [
            data.group,
            data.name,
            jsonParam(data.value),
            data.enum_value,
            data.sequence,
            data.deprecated,
            data.description,
            jsonParam(data.metadata),
          ],
        );
        row = res.rows[0]!;
      } catch (err) {
        if (isUniqueViolation(err)) throw alreadyExists(data.group, data.name);
        throw err;
      }
      const label = rowToLabel(row);
      await this.enqueue(tx, 'created', label, actor);
      return label;
    });
  }

  private async lock(tx: Tx, key: Key): Promise<LabelRow | undefined> {
    const { rows } =
      'id' in key
        ? await tx.query<LabelRow>('SELECT * FROM labels WHERE id = $1 FOR UPDATE', [key.id])
        : await tx.query<LabelRow>('SELECT * FROM labels WHERE "group" = $1 AND name = $2 FOR UPDATE', [
            key.group,
            key.name,
          ]);
    return rows[0];
  }

  /** Applies one patch inside `tx`; the label as it was and as it is now. */
  private async applyPatch(
    tx: Tx,
    patch: Patch,
    actor: string,
    prefix = '',
  ): Promise<{ before: LabelRow; after: LabelRow; changed: string[] }> {
    const before = await this.lock(tx, patch.key);
    if (!before) throw notFound(describeKey(patch.key));
    const next = applyValues(before, patch.values, prefix);
    if (patch.newGroup !== undefined) next.group = patch.newGroup;
    if (patch.newName !== undefined) next.name = patch.newName;
    const changes = changesBetween(before, next);
    const changed = Object.keys(changes);
    if (changed.length === 0) return { before, after: before, changed };
    let after: LabelRow;
    try {
      const res = await tx.query<LabelRow>(
        `UPDATE labels SET "group" = $2, name = $3, value = $4::jsonb, enum_value = $5, sequence = $6,
                deprecated = $7, description = $8, metadata = $9::jsonb, updated_at = now()
          WHERE id = $1 RETURNING *`,
        [
          before.id,
          next.group,
          next.name,
          jsonParam(next.value),
          next.enum_value,
          next.sequence,
          next.deprecated,
          next.description,
          jsonParam(next.metadata),
        ],
      );
      after = res.rows[0]!;
    } catch (err) {
      if (isUniqueViolation(err)) throw alreadyExists(next.group, next.name);
      throw err;
    }
    await this.enqueue(tx, 'altered', rowToLabel(after), actor, changes);
    return { before, after, changed };
  }

  async alter(req: AlterLabelRequest__Output, actor: string): Promise<AlterLabelResponse> {
    const patch = parsePatch(req, '');
    return inTransaction(this.db, async (tx) => {
      const { after, changed } = await this.applyPatch(tx, patch, actor);
      return { label: rowToLabel(after), changedFields: changed };
    });
  }

  async list(req: ListLabelsRequest__Output): Promise<Label__Output[]> {
    const { where, args } = labelFilter(req);
    const sql = `SELECT * FROM labels ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY "group", name, id`;
    const { rows } = await this.db.query<LabelRow>(sql, args);
    const include = { description: req.includeDescription, metadata: req.includeMetadata };
    return rows.map((row) => rowToLabel(row, include));
  }

  async listGroups(req: ListLabelGroupsRequest__Output): Promise<string[]> {
    const partial = req.partialGroupFilter;
    const { rows } =
      partial === undefined
        ? await this.db.query<{ group: string }>('SELECT DISTINCT "group" FROM labels ORDER BY 1')
        : await this.db.query<{ group: string }>(
            'SELECT DISTINCT "group" FROM labels WHERE starts_with("group", $1) ORDER BY 1',
            [checkPartial(partial, 'partialGroupFilter')],
          );
    return rows.map((r) => r.group);
  }

  /** Deletes one label inside `tx`; a label that sessions carry is IN_USE (12026). */
  private async deleteLabel(tx: Tx, row: LabelRow, actor: string): Promise<Label__Output> {
    const { rows } = await tx.query<{ n: string }>('SELECT count(*) AS n FROM sessions WHERE label_id = $1', [
      row.id,
    ]);
    const inUse = Number(rows[0]?.n ?? 0);
    const inUseError = (n: number): MqfleetError =>
      new MqfleetError(
        'IN_USE',
        `label ${row.id} ("${row.name}" in group "${row.group}") is the label of ${n} session(s); remove it from them first (alterMqSessions with "label": null) or deprecate it instead`,
        'delete',
      );
    if (inUse > 0) throw inUseError(inUse);
    try {
      await tx.query('SAVEPOINT label_delete');
      await tx.query('DELETE FROM labels WHERE id = $1', [row.id]);
      await tx.query('RELEASE SAVEPOINT label_delete');
    } catch (err) {
      // A session took the label after the count (foreign key sessions.label_id).
      if ((err as { code?: unknown }).code === '23503') throw inUseError(1);
      throw err;
    }
    const label = rowToLabel(row);
    await this.enqueue(tx, 'deleted', label, actor);
    return label;
  }

  /**
   * Alters or deletes every listed label (changes), or every label the filter selects
   * (by_filter, FairCom's form), or none of them.
   */
  async change(req: ChangeLabelsRequest__Output, actor: string): Promise<Label__Output[]> {
    if (req.byFilter) return this.changeByFilter(req, actor);
    if (req.changes.length > MAX_LABEL_CHANGES) {
      throw tooLarge('labelsToChange', `${MAX_LABEL_CHANGES} entries`);
    }
    const entries = req.changes.map((c, i) => {
      const p = `labelsToChange[${i}].`;
      if (c.delete) {
        if (c.newGroup !== undefined || c.newName !== undefined || hasValues(c.values)) {
          throw invalidValue(`${p}delete`, 'alone: a deleted label cannot also be changed');
        }
        return { index: i, delete: true as const, key: parseKey(c.key, p) };
      }
      return { index: i, delete: false as const, patch: parsePatch(c, p) };
    });
    return inTransaction(this.db, async (tx) => {
      const originals = new Map<number, Label__Output>();
      for (const entry of entries) {
        try {
          if (entry.delete) {
            const row = await this.lock(tx, entry.key);
            if (!row) continue; // Deleting a label that does not exist succeeds.
            const label = await this.deleteLabel(tx, row, actor);
            if (!originals.has(row.id)) originals.set(row.id, label);
          } else {
            const { before, changed } = await this.applyPatch(tx, entry.patch, actor);
            if (changed.length > 0 && !originals.has(before.id)) originals.set(before.id, rowToLabel(before));
          }
        } catch (err) {
          if (err instanceof MqfleetError) {
            throw new MqfleetError(err.code, `labelsToChange[${entry.index}]: ${err.message}`, err.property);
          }
          throw err;
        }
      }
      return [...originals.values()];
    });
  }

  /** FairCom's changeLabels: the listLabels filters select, the new… properties (or delete) apply. */
  private async changeByFilter(req: ChangeLabelsRequest__Output, actor: string): Promise<Label__Output[]> {
    if (req.changes.length > 0) {
      throw invalidValue('labelsToChange', 'absent when labels are selected by filter (use one form)');
    }
    const newGroup = req.newGroup ?? undefined;
    const newName = req.newName ?? undefined;
    if (req.delete) {
      if (newGroup !== undefined || newName !== undefined || hasValues(req.newValues)) {
        throw invalidValue('delete', 'alone: deleted labels cannot also be changed');
      }
    } else if (newGroup === undefined && newName === undefined && !hasValues(req.newValues)) {
      throw new MqfleetError(
        'MISSING_PROPERTY',
        'a "new…" property ("newGroup", "newName", "newValue", "newEnum", "newSequence", "newDeprecated", "newDescription", "newMetadata") or "delete": true is required',
        'newGroup',
      );
    }
    if (newGroup !== undefined) checkGroup(newGroup, 'newGroup');
    if (newName !== undefined) checkName(newName, 'newName');
    applyValues(DEFAULTS, req.newValues, 'new');
    const { where, args } = labelFilter(req.filter ?? emptyFilter());
    return inTransaction(this.db, async (tx) => {
      const { rows } = await tx.query<LabelRow>(
        `SELECT * FROM labels ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
          ORDER BY "group", name, id FOR UPDATE`,
        args,
      );
      const originals: Label__Output[] = [];
      for (const row of rows) {
        if (req.delete) {
          originals.push(await this.deleteLabel(tx, row, actor));
          continue;
        }
        const patch: Patch = { key: { id: row.id }, newGroup, newName, values: req.newValues };
        const { before, changed } = await this.applyPatch(tx, patch, actor, 'new');
        if (changed.length > 0) originals.push(rowToLabel(before));
      }
      return originals;
    });
  }
}

const emptyFilter = (): ListLabelsRequest__Output => ({
  idFilter: [],
  groupFilter: [],
  nameFilter: [],
  enumFilter: [],
  sequenceFilter: [],
  includeDescription: false,
  includeMetadata: false,
});

/** The SQL conditions of the listLabels filters (shared by listLabels and changeLabels). */
function labelFilter(req: ListLabelsRequest__Output): { where: string[]; args: unknown[] } {
  const where: string[] = [];
  const args: unknown[] = [];
  const arg = (value: unknown): string => {
    args.push(value);
    return `$${args.length}`;
  };
  const partialGroup = req.partialGroupFilter ?? undefined;
  const partialName = req.partialNameFilter ?? undefined;
  const deprecated = req.deprecatedFilter ?? undefined;
  const others =
    req.groupFilter.length > 0 ||
    partialGroup !== undefined ||
    req.nameFilter.length > 0 ||
    partialName !== undefined ||
    deprecated !== undefined ||
    req.enumFilter.length > 0 ||
    req.sequenceFilter.length > 0;
  if (req.idFilter.length > 0) {
    if (others) throw invalidValue('idFilter', 'used alone; it cannot be combined with other filters');
    req.idFilter.forEach((id, i) => checkId(id, `idFilter[${i}]`));
    where.push(`id = ANY(${arg(req.idFilter)}::int[])`);
  }
  if (req.groupFilter.length > 0 && partialGroup !== undefined) {
    throw invalidValue('partialGroupFilter', 'omitted when "groupFilter" is given');
  }
  if (req.nameFilter.length > 0 && partialName !== undefined) {
    throw invalidValue('partialNameFilter', 'omitted when "nameFilter" is given');
  }
  if (req.groupFilter.length > 0) {
    req.groupFilter.forEach((g, i) => checkGroup(g, `groupFilter[${i}]`));
    where.push(`"group" = ANY(${arg(req.groupFilter)}::text[])`);
  }
  if (partialGroup !== undefined) {
    where.push(`starts_with("group", ${arg(checkPartial(partialGroup, 'partialGroupFilter'))})`);
  }
  if (req.nameFilter.length > 0) {
    req.nameFilter.forEach((n, i) => checkName(n, `nameFilter[${i}]`));
    where.push(`name = ANY(${arg(req.nameFilter)}::text[])`);
  }
  if (partialName !== undefined) {
    where.push(`starts_with(name, ${arg(checkPartial(partialName, 'partialNameFilter'))})`);
  }
  if (deprecated !== undefined) where.push(`deprecated = ${arg(deprecated)}`);
  if (req.enumFilter.length > 0) {
    req.enumFilter.forEach((e, i) => checkEnum(e, `enumFilter[${i}]`));
    where.push(`enum_value = ANY(${arg(req.enumFilter)}::int[])`);
  }
  if (req.sequenceFilter.length > 0) {
    const sequences = req.sequenceFilter.map((s, i) => checkSequence(s, `sequenceFilter[${i}]`));
    where.push(`sequence = ANY(${arg(sequences)}::float8[])`);
  }
  return { where, args };
}

function checkPartial(value: string, property: string): string {
  if (value === '') throw invalidValue(property, `1 to ${MAX_LABEL_GROUP_BYTES} bytes of UTF-8`, value);
  if (bytes(value) > MAX_LABEL_GROUP_BYTES) throw tooLarge(property, `${MAX_LABEL_GROUP_BYTES} bytes`);
  return value;
}
