// api "admin": the label actions (docs/json-api.md): createLabel, alterLabel, listLabels,
// listLabelGroups and changeLabels. This file reads and shapes the JSON; the session-service's
// LabelService checks the limits and the rules between properties, so gRPC callers get the same.
import { invalidValue, missingProperty, readBool, readString, tooLarge } from '@mqfleet/core';
import type {
  AlterLabelRequest,
  AlterLabelResponse__Output,
  ChangeLabelsRequest,
  ChangeLabelsResponse__Output,
  CreateLabelResponse__Output,
  Label__Output,
  LabelChange,
  LabelKey,
  LabelValues,
  ListLabelGroupsRequest,
  ListLabelGroupsResponse__Output,
  ListLabelsRequest,
  ListLabelsResponse__Output,
} from '@mqfleet/proto';
import { unary } from '../backend';
import { checkKnown } from './params';
import {
  LABEL_KEY_CHOICE,
  LABEL_KEY_PROPERTIES,
  LABEL_RENAME_PROPERTIES,
  LABEL_VALUE_PROPERTIES,
  MAX_FILTER_ENTRIES,
  bool,
  changedFields,
  labelId,
  object,
  openObject,
  ref,
  str,
  stringList,
  type Schema,
} from '../schemas';
import type { ActionDef } from './types';
import { MAX_LABEL_BYTES } from '@mqfleet/core';

/** Longest string the gateway forwards; the session-service applies each property's own limit. */
const MAX_FORWARDED_BYTES = 1_048_576;

const VALUE_PARAMS = ['value', 'enum', 'sequence', 'deprecated', 'description', 'metadata'];
const KEY_PARAMS = ['id', 'group', 'name'];
const RENAME_PARAMS = ['newGroup', 'newName'];

type Params = Record<string, unknown>;

const given = (value: unknown): boolean => value !== undefined && value !== null;

const readText = (value: unknown, property: string): string =>
  readString(property, value, MAX_FORWARDED_BYTES);

/** A JSON number, or a string holding one (FairCom's examples send both: 1 and "1"). */
function num(value: unknown, property: string, integer: boolean): number {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && value.trim() !== ''
        ? Number(value)
        : NaN;
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw invalidValue(property, integer ? 'an integer' : 'a number', value);
  }
  return n;
}

const readFlag = (value: unknown, property: string): boolean => readBool(property, value);

function list<T>(params: Params, name: string, read: (v: unknown, property: string) => T): T[] {
  const value = params[name];
  if (!given(value)) return [];
  if (!Array.isArray(value)) throw invalidValue(name, 'an array', value);
  if (value.length > MAX_FILTER_ENTRIES) throw tooLarge(name, `${MAX_FILTER_ENTRIES} entries`);
  return value.map((v, i) => read(v, `${name}[${i}]`));
}

/** The settable label fields that are present; null removes value, sequence, description, metadata. */
function readValues(params: Params, p = ''): LabelValues {
  const values: LabelValues = {};
  // p is a path prefix ("labelsToChange[2].") or "new" (changeLabels by filter: newEnum, …).
  const at = (property: string): string =>
    p === 'new' ? `new${property[0]!.toUpperCase()}${property.slice(1)}` : `${p}${property}`;
  if ('value' in params && params.value !== undefined) values.valueJson = JSON.stringify(params.value);
  if (given(params.enum)) values.enumValue = num(params.enum, at('enum'), true);
  if (params.sequence === null) values.clearSequence = true;
  else if (params.sequence !== undefined) values.sequence = num(params.sequence, at('sequence'), false);
  if (given(params.deprecated)) values.deprecated = readFlag(params.deprecated, at('deprecated'));
  if (params.description === null) values.description = '';
  else if (params.description !== undefined)
    values.description = readText(params.description, at('description'));
  if ('metadata' in params && params.metadata !== undefined) {
    values.metadataJson = JSON.stringify(params.metadata);
  }
  return values;
}

/** `id`, or `group` + `name`, as given; the session-service insists on exactly one way. */
function readKey(params: Params, p = ''): LabelKey {
  const key: LabelKey = {};
  if (given(params.id)) key.id = num(params.id, `${p}id`, true);
  if (given(params.group)) key.group = readText(params.group, `${p}group`);
  if (given(params.name)) key.name = readText(params.name, `${p}name`);
  return key;
}

function readRename(params: Params, p = ''): { newGroup?: string; newName?: string } {
  const rename: { newGroup?: string; newName?: string } = {};
  if (given(params.newGroup)) rename.newGroup = readText(params.newGroup, `${p}newGroup`);
  if (given(params.newName)) rename.newName = readText(params.newName, `${p}newName`);
  return rename;
}

/** A label with FairCom's property names. */
export function renderLabel(
  label: Label__Output,
  include = { description: true, metadata: true },
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: label.id,
    group: label.group,
    name: label.name,
    value: JSON.parse(label.valueJson || 'null') as unknown,
    enum: label.enumValue,
    sequence: label.sequence ?? null,
    deprecated: label.deprecated,
  };
  if (include.description) out.description = label.description ?? null;
  if (include.metadata) out.metadata = JSON.parse(label.metadataJson || 'null') as unknown;
  return out;
}

const createLabel: ActionDef = {
  api: 'admin',
  name: 'createLabel',
  tokenRequired: true,
  summary: 'Creates a label (role admin needed)',
  params: object(
    {
      group: str(MAX_LABEL_BYTES, 'Group; default "" (the default group)'),
      name: str(MAX_LABEL_BYTES, 'Name, unique within its group', 1),
      ...LABEL_VALUE_PROPERTIES,
    },
    ['name'],
  ),
  result: ref('Label'),
  async run({ params, authToken, backend }) {
    if (!given(params.name) || params.name === '') throw missingProperty('name');
    const request = {
      group: given(params.group) ? readText(params.group, 'group') : '',
      name: readText(params.name, 'name'),
      values: readValues(params),
    };
    const created = await unary<CreateLabelResponse__Output>((cb) =>
      backend.labels.createLabel(request, backend.bearer(authToken), backend.options(), cb),
    );
    if (!created.label) throw new Error('CreateLabel answered without a label');
    return { result: renderLabel(created.label) };
  },
};

const alterLabel: ActionDef = {
  api: 'admin',
  name: 'alterLabel',
  tokenRequired: true,
  summary: 'Changes a label named by id or by group + name (role admin needed)',
  params: object(
    { ...LABEL_KEY_PROPERTIES, ...LABEL_RENAME_PROPERTIES, ...LABEL_VALUE_PROPERTIES },
    [],
    LABEL_KEY_CHOICE,
  ),
  result: { allOf: [ref('Label')], properties: { changedFields } },
  async run({ params, authToken, backend }) {
    const request: AlterLabelRequest = {
      key: readKey(params),
      ...readRename(params),
      values: readValues(params),
    };
    const altered = await unary<AlterLabelResponse__Output>((cb) =>
      backend.labels.alterLabel(request, backend.bearer(authToken), backend.options(), cb),
    );
    if (!altered.label) throw new Error('AlterLabel answered without a label');
    return { result: { ...renderLabel(altered.label), changedFields: altered.changedFields } };
  },
};

const LIST_PARAMS = [
  'idFilter',
  'groupFilter',
  'partialGroupFilter',
  'nameFilter',
  'partialNameFilter',
  'deprecatedFilter',
  'enumFilter',
  'sequenceFilter',
  'includeDescription',
  'includeMetadata',
];

/** The filters of listLabels, also the selection of changeLabels' FairCom form. */
const LABEL_FILTER_PROPERTIES: Record<string, Schema> = {
  idFilter: stringList('Label ids; excludes every other filter', labelId),
  groupFilter: stringList('Groups; excludes partialGroupFilter'),
  partialGroupFilter: str(MAX_LABEL_BYTES, 'Groups that begin with this', 1),
  nameFilter: stringList('Names; excludes partialNameFilter'),
  partialNameFilter: str(MAX_LABEL_BYTES, 'Names that begin with this', 1),
  deprecatedFilter: bool('Only deprecated (true) or not deprecated (false) labels'),
  enumFilter: stringList('enum values', LABEL_VALUE_PROPERTIES.enum),
  sequenceFilter: stringList('sequence values', { type: ['number', 'string'] }),
};

const listLabels: ActionDef = {
  api: 'admin',
  name: 'listLabels',
  tokenRequired: true,
  summary: 'Lists labels ordered by group, name (role admin needed)',
  params: object({
    ...LABEL_FILTER_PROPERTIES,
    includeDescription: bool('Include description', { default: false }),
    includeMetadata: bool('Include metadata', { default: false }),
  }),
  result: openObject({ data: { type: 'array', items: ref('Label') } }),
  async run({ params, authToken, backend }) {
    const request: ListLabelsRequest = {
      ...readFilter(params),
      includeDescription: given(params.includeDescription)
        ? readFlag(params.includeDescription, 'includeDescription')
        : false,
      includeMetadata: given(params.includeMetadata)
        ? readFlag(params.includeMetadata, 'includeMetadata')
        : false,
    };
    const listed = await unary<ListLabelsResponse__Output>((cb) =>
      backend.labels.listLabels(request, backend.bearer(authToken), backend.options(), cb),
    );
    const include = { description: request.includeDescription!, metadata: request.includeMetadata! };
    return { result: { data: listed.labels.map((l) => renderLabel(l, include)) } };
  },
};

const listLabelGroups: ActionDef = {
  api: 'admin',
  name: 'listLabelGroups',
  tokenRequired: true,
  summary: 'The distinct label groups in use, sorted (role admin needed)',
  params: object({ partialGroupFilter: str(MAX_LABEL_BYTES, 'Groups that begin with this', 1) }),
  result: openObject({ groups: { type: 'array', items: { type: 'string' } } }),
  async run({ params, authToken, backend }) {
    const request: ListLabelGroupsRequest = {};
    if (given(params.partialGroupFilter)) {
      request.partialGroupFilter = readText(params.partialGroupFilter, 'partialGroupFilter');
    }
    const listed = await unary<ListLabelGroupsResponse__Output>((cb) =>
      backend.labels.listLabelGroups(request, backend.bearer(authToken), backend.options(), cb),
    );
    return { result: { groups: listed.groups } };
  },
};

const CHANGE_ENTRY_PARAMS = [...KEY_PARAMS, ...RENAME_PARAMS, ...VALUE_PARAMS, 'delete'];

function readChange(entry: unknown, p: string): LabelChange {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw invalidValue(p.slice(0, -1), 'an object', entry);
  }
  const params = entry as Params;
  for (const key of Object.keys(params)) {
    if (!CHANGE_ENTRY_PARAMS.includes(key)) {
      throw invalidValue(`${p}${key}`, 'a property of a label change (see docs/json-api.md)');
    }
  }
  const change: LabelChange = {
    key: readKey(params, p),
    ...readRename(params, p),
    values: readValues(params, p),
  };
  if (given(params.delete)) change.delete = readFlag(params.delete, `${p}delete`);
  return change;
}

/** FairCom's changeLabels: the listLabels filters select, the "new…" properties change. */
const FILTER_PARAMS = LIST_PARAMS.filter((p) => !p.startsWith('include'));
const NEW_PARAMS = [
  'newGroup',
  'newName',
  'newValue',
  'newEnum',
  'newSequence',
  'newDeprecated',
  'newDescription',
  'newMetadata',
];

function readFilter(params: Params): ListLabelsRequest {
  const request: ListLabelsRequest = {
    idFilter: list(params, 'idFilter', (v, p) => num(v, p, true)),
    groupFilter: list(params, 'groupFilter', readText),
    nameFilter: list(params, 'nameFilter', readText),
    enumFilter: list(params, 'enumFilter', (v, p) => num(v, p, true)),
    sequenceFilter: list(params, 'sequenceFilter', (v, p) => num(v, p, false)),
  };
  if (given(params.partialGroupFilter)) {
    request.partialGroupFilter = readText(params.partialGroupFilter, 'partialGroupFilter');
  }
  if (given(params.partialNameFilter)) {
    request.partialNameFilter = readText(params.partialNameFilter, 'partialNameFilter');
  }
  if (given(params.deprecatedFilter)) {
    request.deprecatedFilter = readFlag(params.deprecatedFilter, 'deprecatedFilter');
  }
  return request;
}

/** newValue, newEnum, … read like alterLabel's value, enum, … (the same rules, "new" names). */
function readNewValues(params: Params): LabelValues {
  const renamed: Params = {};
  for (const name of VALUE_PARAMS) {
    const key = `new${name[0]!.toUpperCase()}${name.slice(1)}`;
    if (key in params) renamed[name] = params[key];
  }
  const values = readValues(renamed, 'new');
  return values;
}

const changeLabels: ActionDef = {
  api: 'admin',
  name: 'changeLabels',
  tokenRequired: true,
  summary:
    "Alters or deletes many labels in one transaction, all or nothing: FairCom's form (the listLabels filters select, the new… properties change, or delete) or a list of labelsToChange (role admin needed)",
  params: {
    oneOf: [
      object(
        {
          ...LABEL_FILTER_PROPERTIES,
          newGroup: str(MAX_LABEL_BYTES, 'Moves every selected label to this group'),
          newName: str(MAX_LABEL_BYTES, 'Renames every selected label (a clash in a group → 12020)', 1),
          newValue: LABEL_VALUE_PROPERTIES.value!,
          newEnum: LABEL_VALUE_PROPERTIES.enum!,
          newSequence: LABEL_VALUE_PROPERTIES.sequence!,
          newDeprecated: LABEL_VALUE_PROPERTIES.deprecated!,
          newDescription: LABEL_VALUE_PROPERTIES.description!,
          newMetadata: LABEL_VALUE_PROPERTIES.metadata!,
          delete: bool(
            'true (with no new… property) deletes every selected label; a label sessions carry → 12026',
          ),
        },
        [],
        {
          description:
            "FairCom's form. No filter selects every label. At least one new… property or delete is required (else 12025)",
        },
      ),
      object(
        {
          labelsToChange: {
            type: 'array',
            maxItems: MAX_FILTER_ENTRIES,
            items: object(
              {
                ...LABEL_KEY_PROPERTIES,
                ...LABEL_RENAME_PROPERTIES,
                ...LABEL_VALUE_PROPERTIES,
                delete: bool('true (and nothing else besides the key) deletes the label'),
              },
              [],
              LABEL_KEY_CHOICE,
            ),
          },
        },
        ['labelsToChange'],
        { description: "mqfleet's per-entry form: each entry names one label like alterLabel" },
      ),
    ],
  },
  result: openObject({
    data: { type: 'array', items: ref('Label'), description: 'Each label as it was before the call' },
  }),
  async run({ params, authToken, backend, warnings }) {
    const perEntry = 'labelsToChange' in params && params.labelsToChange !== undefined;
    if (perEntry) {
      const other = Object.keys(params).find((k) => k !== 'labelsToChange' && params[k] !== undefined);
      if (other !== undefined && [...FILTER_PARAMS, ...NEW_PARAMS, 'delete'].includes(other)) {
        throw invalidValue(
          'labelsToChange',
          `absent when labels are selected by filter ("${other}"); use one form`,
        );
      }
      checkKnown(params, ['labelsToChange'], [], warnings);
      const raw = params.labelsToChange;
      if (!given(raw)) throw missingProperty('labelsToChange');
      if (!Array.isArray(raw)) throw invalidValue('labelsToChange', 'an array of objects', raw);
      if (raw.length > MAX_FILTER_ENTRIES) throw tooLarge('labelsToChange', `${MAX_FILTER_ENTRIES} entries`);
      const changes = raw.map((entry, i) => readChange(entry, `labelsToChange[${i}].`));
      const changed = await unary<ChangeLabelsResponse__Output>((cb) =>
        backend.labels.changeLabels({ changes }, backend.bearer(authToken), backend.options(), cb),
      );
      return { result: { data: changed.originals.map((l) => renderLabel(l)) } };
    }
    checkKnown(params, [...FILTER_PARAMS, ...NEW_PARAMS, 'delete'], [], warnings);
    const request: ChangeLabelsRequest = {
      byFilter: true,
      filter: readFilter(params),
      newValues: readNewValues(params),
      delete: given(params.delete) ? readFlag(params.delete, 'delete') : false,
    };
    if (given(params.newGroup)) request.newGroup = readText(params.newGroup, 'newGroup');
    if (given(params.newName)) request.newName = readText(params.newName, 'newName');
    const changed = await unary<ChangeLabelsResponse__Output>((cb) =>
      backend.labels.changeLabels(request, backend.bearer(authToken), backend.options(), cb),
    );
    return { result: { data: changed.originals.map((l) => renderLabel(l)) } };
  },
};

export const LABEL_ACTIONS: ActionDef[] = [
  createLabel,
  alterLabel,
  listLabels,
  listLabelGroups,
  changeLabels,
];
