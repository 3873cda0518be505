import { DynamicModule, Module } from '@nestjs/common';
import { WebAssets } from './web-assets';
import { WEB_OPTIONS, WebController } from './web.controller';
import { contentSecurityPolicy, originsOf } from './web-headers';

export interface WebModuleOptions {
  /** Folder of the built web app (`WEB_ROOT`). */
  root: string;
  /** Registry URLs the page may call besides its own origin (this node's public URL, its peers). */
  registryUrls: readonly string[];
}

/** Serves the built web app (apps/web) from `root`. */
@Module({})
export class WebModule {
  static forRoot(options: WebModuleOptions): DynamicModule {
    return {
      module: WebModule,
      controllers: [WebController],
      providers: [
        {
          provide: WEB_OPTIONS,
          useValue: {
            assets: new WebAssets(options.root),
            csp: contentSecurityPolicy(originsOf(options.registryUrls)),
          },
        },
      ],
    };
  }
}
