import { DynamicModule, Global, Module, type ModuleMetadata } from '@nestjs/common';
import { AUTH_KIT_OPTIONS, type AuthKitOptions } from './auth-kit.options';
import { AuthGuard, ServiceGuard } from './auth.guards';

export interface AuthKitAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  inject?: (string | symbol | (abstract new (...args: never[]) => unknown))[];
  useFactory: (...args: never[]) => AuthKitOptions | Promise<AuthKitOptions>;
}

/** Makes `AuthGuard`, `ServiceGuard` and `@CurrentIdentity()` usable anywhere in the application. */
@Global()
@Module({})
export class AuthKitModule {
  static forRoot(options: AuthKitOptions): DynamicModule {
    return {
      module: AuthKitModule,
      providers: [{ provide: AUTH_KIT_OPTIONS, useValue: options }, AuthGuard, ServiceGuard],
      exports: [AUTH_KIT_OPTIONS, AuthGuard, ServiceGuard],
    };
  }

  static forRootAsync(options: AuthKitAsyncOptions): DynamicModule {
    return {
      module: AuthKitModule,
      imports: options.imports ?? [],
      providers: [
        { provide: AUTH_KIT_OPTIONS, inject: options.inject ?? [], useFactory: options.useFactory },
        AuthGuard,
        ServiceGuard,
      ],
      exports: [AUTH_KIT_OPTIONS, AuthGuard, ServiceGuard],
    };
  }
}
