import { InputError } from '../core/errors';
import { RegistryAuthProvider, RegistryLogin, normalizeServer } from './provider';

/** Username/password (a dockerregistry service connection, or --username/--password-stdin). */
export class BasicAuthProvider implements RegistryAuthProvider {
  readonly kind = 'username/password';
  readonly server: string;
  constructor(server: string, private readonly username: string, private readonly password: string) {
    this.server = normalizeServer(server);
    if (!this.server) throw new InputError('Registry server is empty.', { field: 'registry' });
    if (!username) throw new InputError(`No user name for registry ${this.server}.`, { field: 'username' });
    if (!password) throw new InputError(`No password for registry ${this.server}.`, { field: 'password' });
  }
  async getLogin(): Promise<RegistryLogin> {
    return { server: this.server, username: this.username, password: this.password };
  }
}
