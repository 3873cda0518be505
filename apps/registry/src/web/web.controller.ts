import { Controller, Get, Header, Headers, Inject, Param, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { WebAssetsErrorCode, httpStatusOf } from '@hoot/contracts';
import { HootException } from '@hoot/service-kit';
import { pickEncoding, WebAssets, type WebFileName } from './web-assets';
import { CACHE_CONTROL, COMMON_HEADERS } from './web-headers';

export const WEB_OPTIONS = Symbol('WEB_OPTIONS');

export interface WebOptions {
  assets: WebAssets;
  /** The Content-Security-Policy of the HTML. */
  csp: string;
}

/** Stable code of the answer when the web app has not been built. */
export const WEB_NOT_BUILT = WebAssetsErrorCode.NotBuilt;

/**
 * The web app (apps/web) at the registry's root: `/` and the app's own routes (`/join/:id`, `/room/…`)
 * answer index.html, plus its script and stylesheet. Explicit routes only, so `/v1`, `/internal`,
 * `/docs`, `/health` and `/metrics` are never shadowed and unknown paths stay `route.not-found`.
 */
@ApiExcludeController()
@Controller()
export class WebController {
  constructor(@Inject(WEB_OPTIONS) private readonly options: WebOptions) {}

  @Get()
  index(
    @Headers('if-none-match') inm: string | undefined,
    @Headers('accept-encoding') ae: string | undefined,
    @Query('v') v: string | undefined,
    @Res() reply: FastifyReply,
  ) {
    return this.send('index.html', { ifNoneMatch: inm, acceptEncoding: ae, version: v }, reply);
  }

  @Get('join/:conferenceId')
  join(
    @Param('conferenceId') _id: string,
    @Headers('if-none-match') inm: string | undefined,
    @Headers('accept-encoding') ae: string | undefined,
    @Query('v') v: string | undefined,
    @Res() reply: FastifyReply,
  ) {
    return this.send('index.html', { ifNoneMatch: inm, acceptEncoding: ae, version: v }, reply);
  }

  @Get('room/*')
  room(
    @Headers('if-none-match') inm: string | undefined,
    @Headers('accept-encoding') ae: string | undefined,
    @Query('v') v: string | undefined,
    @Res() reply: FastifyReply,
  ) {
    return this.send('index.html', { ifNoneMatch: inm, acceptEncoding: ae, version: v }, reply);
  }

  @Get('app.js')
  @Header('x-robots-tag', 'noindex')
  script(
    @Headers('if-none-match') inm: string | undefined,
    @Headers('accept-encoding') ae: string | undefined,
    @Query('v') v: string | undefined,
    @Res() reply: FastifyReply,
  ) {
    return this.send('app.js', { ifNoneMatch: inm, acceptEncoding: ae, version: v }, reply);
  }

  @Get('app.css')
  style(
    @Headers('if-none-match') inm: string | undefined,
    @Headers('accept-encoding') ae: string | undefined,
    @Query('v') v: string | undefined,
    @Res() reply: FastifyReply,
  ) {
    return this.send('app.css', { ifNoneMatch: inm, acceptEncoding: ae, version: v }, reply);
  }

  @Get('app.js.map')
  scriptMap(
    @Headers('if-none-match') inm: string | undefined,
    @Headers('accept-encoding') ae: string | undefined,
    @Query('v') v: string | undefined,
    @Res() reply: FastifyReply,
  ) {
    return this.send('app.js.map', { ifNoneMatch: inm, acceptEncoding: ae, version: v }, reply);
  }

  @Get('hls.js')
  @Header('x-robots-tag', 'noindex')
  hlsScript(
    @Headers('if-none-match') inm: string | undefined,
    @Headers('accept-encoding') ae: string | undefined,
    @Query('v') v: string | undefined,
    @Res() reply: FastifyReply,
  ) {
    return this.send('hls.js', { ifNoneMatch: inm, acceptEncoding: ae, version: v }, reply);
  }

  @Get('hls.js.map')
  hlsScriptMap(
    @Headers('if-none-match') inm: string | undefined,
    @Headers('accept-encoding') ae: string | undefined,
    @Query('v') v: string | undefined,
    @Res() reply: FastifyReply,
  ) {
    return this.send('hls.js.map', { ifNoneMatch: inm, acceptEncoding: ae, version: v }, reply);
  }

  @Get('app.css.map')
  styleMap(
    @Headers('if-none-match') inm: string | undefined,
    @Headers('accept-encoding') ae: string | undefined,
    @Query('v') v: string | undefined,
    @Res() reply: FastifyReply,
  ) {
    return this.send('app.css.map', { ifNoneMatch: inm, acceptEncoding: ae, version: v }, reply);
  }

  private async send(
    name: WebFileName,
    request: {
      ifNoneMatch: string | undefined;
      acceptEncoding: string | undefined;
      version: string | undefined;
    },
    reply: FastifyReply,
  ): Promise<void> {
    const file = await this.options.assets.get(name);
    if (!file) {
      throw new HootException(
        WEB_NOT_BUILT,
        httpStatusOf(WEB_NOT_BUILT),
        `the web app is not built: run \`npx nx run web:build\` (node apps/web/build.mjs) so that ${this.options.assets.root} holds it, or point WEB_ROOT at a built copy`,
      );
    }
    const html = name === 'index.html';
    const encoding = pickEncoding(request.acceptEncoding);
    // Each encoding is its own representation: its own (strong) ETag.
    const etag = encoding === 'identity' ? file.etag : `${file.etag.slice(0, -1)}-${encoding}"`;
    const versioned = !html && request.version === file.version;
    reply.headers({
      ...COMMON_HEADERS,
      'content-type': file.contentType,
      'cache-control': html ? CACHE_CONTROL.html : versioned ? CACHE_CONTROL.versioned : CACHE_CONTROL.asset,
      etag,
      vary: 'accept-encoding',
      ...(encoding === 'identity' ? {} : { 'content-encoding': encoding }),
      ...(html ? { 'content-security-policy': this.options.csp, 'x-frame-options': 'DENY' } : {}),
    });
    const { ifNoneMatch } = request;
    if (ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim() === etag)) {
      await reply.code(304).send();
      return;
    }
    await reply.code(200).send(file.encoded(encoding));
  }
}
