// Original file: proto/mqfleet/v1/accounts.proto

export interface AlterAccountRequest {
  username?: string;
  password?: string;
  role?: string;
  _password?: 'password';
  _role?: 'role';
}

export interface AlterAccountRequest__Output {
  username: string;
  password?: string;
  role?: string;
  _password?: 'password';
  _role?: 'role';
}
