import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/** Serves the registry's OpenAPI document at `/docs`, generated from the controllers' decorators. */
export function serveOpenApiDocs(app: INestApplication): void {
  const docs = new DocumentBuilder()
    .setTitle('hoot registry')
    .setDescription('Registry node: GCAS, CoreMX membership, iroulette, conferences and join, webhooks')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('docs', app, SwaggerModule.createDocument(app, docs));
}
