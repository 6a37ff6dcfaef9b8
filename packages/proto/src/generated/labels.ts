import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type {
  AlterLabelRequest as _mqfleet_v1_AlterLabelRequest,
  AlterLabelRequest__Output as _mqfleet_v1_AlterLabelRequest__Output,
} from './mqfleet/v1/AlterLabelRequest';
import type {
  AlterLabelResponse as _mqfleet_v1_AlterLabelResponse,
  AlterLabelResponse__Output as _mqfleet_v1_AlterLabelResponse__Output,
} from './mqfleet/v1/AlterLabelResponse';
import type {
  ChangeLabelsRequest as _mqfleet_v1_ChangeLabelsRequest,
  ChangeLabelsRequest__Output as _mqfleet_v1_ChangeLabelsRequest__Output,
} from './mqfleet/v1/ChangeLabelsRequest';
import type {
  ChangeLabelsResponse as _mqfleet_v1_ChangeLabelsResponse,
  ChangeLabelsResponse__Output as _mqfleet_v1_ChangeLabelsResponse__Output,
} from './mqfleet/v1/ChangeLabelsResponse';
import type {
  CreateLabelRequest as _mqfleet_v1_CreateLabelRequest,
  CreateLabelRequest__Output as _mqfleet_v1_CreateLabelRequest__Output,
} from './mqfleet/v1/CreateLabelRequest';
import type {
  CreateLabelResponse as _mqfleet_v1_CreateLabelResponse,
  CreateLabelResponse__Output as _mqfleet_v1_CreateLabelResponse__Output,
} from './mqfleet/v1/CreateLabelResponse';
import type {
  Label as _mqfleet_v1_Label,
  Label__Output as _mqfleet_v1_Label__Output,
} from './mqfleet/v1/Label';
import type {
  LabelChange as _mqfleet_v1_LabelChange,
  LabelChange__Output as _mqfleet_v1_LabelChange__Output,
} from './mqfleet/v1/LabelChange';
import type {
  LabelKey as _mqfleet_v1_LabelKey,
  LabelKey__Output as _mqfleet_v1_LabelKey__Output,
} from './mqfleet/v1/LabelKey';
import type {
  LabelServiceClient as _mqfleet_v1_LabelServiceClient,
  LabelServiceDefinition as _mqfleet_v1_LabelServiceDefinition,
} from './mqfleet/v1/LabelService';
import type {
  LabelValues as _mqfleet_v1_LabelValues,
  LabelValues__Output as _mqfleet_v1_LabelValues__Output,
} from './mqfleet/v1/LabelValues';
import type {
  ListLabelGroupsRequest as _mqfleet_v1_ListLabelGroupsRequest,
  ListLabelGroupsRequest__Output as _mqfleet_v1_ListLabelGroupsRequest__Output,
} from './mqfleet/v1/ListLabelGroupsRequest';
import type {
  ListLabelGroupsResponse as _mqfleet_v1_ListLabelGroupsResponse,
  ListLabelGroupsResponse__Output as _mqfleet_v1_ListLabelGroupsResponse__Output,
} from './mqfleet/v1/ListLabelGroupsResponse';
import type {
  ListLabelsRequest as _mqfleet_v1_ListLabelsRequest,
  ListLabelsRequest__Output as _mqfleet_v1_ListLabelsRequest__Output,
} from './mqfleet/v1/ListLabelsRequest';
import type {
  ListLabelsResponse as _mqfleet_v1_ListLabelsResponse,
  ListLabelsResponse__Output as _mqfleet_v1_ListLabelsResponse__Output,
} from './mqfleet/v1/ListLabelsResponse';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new (...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  mqfleet: {
    v1: {
      AlterLabelRequest: MessageTypeDefinition<
        _mqfleet_v1_AlterLabelRequest,
        _mqfleet_v1_AlterLabelRequest__Output
      >;
      AlterLabelResponse: MessageTypeDefinition<
        _mqfleet_v1_AlterLabelResponse,
        _mqfleet_v1_AlterLabelResponse__Output
      >;
      ChangeLabelsRequest: MessageTypeDefinition<
        _mqfleet_v1_ChangeLabelsRequest,
        _mqfleet_v1_ChangeLabelsRequest__Output
      >;
      ChangeLabelsResponse: MessageTypeDefinition<
        _mqfleet_v1_ChangeLabelsResponse,
        _mqfleet_v1_ChangeLabelsResponse__Output
      >;
      CreateLabelRequest: MessageTypeDefinition<
        _mqfleet_v1_CreateLabelRequest,
        _mqfleet_v1_CreateLabelRequest__Output
      >;
      CreateLabelResponse: MessageTypeDefinition<
        _mqfleet_v1_CreateLabelResponse,
        _mqfleet_v1_CreateLabelResponse__Output
      >;
      Label: MessageTypeDefinition<_mqfleet_v1_Label, _mqfleet_v1_Label__Output>;
      LabelChange: MessageTypeDefinition<_mqfleet_v1_LabelChange, _mqfleet_v1_LabelChange__Output>;
      LabelKey: MessageTypeDefinition<_mqfleet_v1_LabelKey, _mqfleet_v1_LabelKey__Output>;
      LabelService: SubtypeConstructor<typeof grpc.Client, _mqfleet_v1_LabelServiceClient> & {
        service: _mqfleet_v1_LabelServiceDefinition;
      };
      LabelValues: MessageTypeDefinition<_mqfleet_v1_LabelValues, _mqfleet_v1_LabelValues__Output>;
      ListLabelGroupsRequest: MessageTypeDefinition<
        _mqfleet_v1_ListLabelGroupsRequest,
        _mqfleet_v1_ListLabelGroupsRequest__Output
      >;
      ListLabelGroupsResponse: MessageTypeDefinition<
        _mqfleet_v1_ListLabelGroupsResponse,
        _mqfleet_v1_ListLabelGroupsResponse__Output
      >;
      ListLabelsRequest: MessageTypeDefinition<
        _mqfleet_v1_ListLabelsRequest,
        _mqfleet_v1_ListLabelsRequest__Output
      >;
      ListLabelsResponse: MessageTypeDefinition<
        _mqfleet_v1_ListLabelsResponse,
        _mqfleet_v1_ListLabelsResponse__Output
      >;
    };
  };
}
