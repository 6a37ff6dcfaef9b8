// Original file: proto/mqfleet/v1/session.proto

import type {
  SessionSettings as _mqfleet_v1_SessionSettings,
  SessionSettings__Output as _mqfleet_v1_SessionSettings__Output,
} from '../../mqfleet/v1/SessionSettings';
import type {
  ConnectionInfo as _mqfleet_v1_ConnectionInfo,
  ConnectionInfo__Output as _mqfleet_v1_ConnectionInfo__Output,
} from '../../mqfleet/v1/ConnectionInfo';
import type {
  Subscription as _mqfleet_v1_Subscription,
  Subscription__Output as _mqfleet_v1_Subscription__Output,
} from '../../mqfleet/v1/Subscription';
import type { Long } from '@grpc/proto-loader';

export interface Session {
  clientName?: string;
  version?: number | string | Long;
  sessionType?: string;
  settings?: _mqfleet_v1_SessionSettings | null;
  connection?: _mqfleet_v1_ConnectionInfo | null;
  createdAt?: string;
  updatedAt?: string;
  subscriptions?: _mqfleet_v1_Subscription[];
  health?: string;
  statsJson?: string;
  publishedTopicsJson?: string;
  owner?: string;
}

export interface Session__Output {
  clientName: string;
  version: string;
  sessionType: string;
  settings: _mqfleet_v1_SessionSettings__Output | null;
  connection: _mqfleet_v1_ConnectionInfo__Output | null;
  createdAt: string;
  updatedAt: string;
  subscriptions: _mqfleet_v1_Subscription__Output[];
  health: string;
  statsJson: string;
  publishedTopicsJson: string;
  owner: string;
}
