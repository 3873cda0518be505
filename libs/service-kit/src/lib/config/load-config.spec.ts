import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IsBoolean, IsInt, IsOptional, IsString, Max, Min, MinLength } from 'class-validator';
import { ConfigError, EnvBoolean, EnvList, loadConfig } from './load-config';

class SampleConfig {
  @IsInt()
  @Min(1)
  @Max(65535)
  PORT: number = 3000;

  @IsString()
  @MinLength(16)
  SAMPLE_API_KEY!: string;

  @EnvBoolean()
  @IsBoolean()
  FEATURE_ON: boolean = false;

  @EnvList()
  @IsString({ each: true })
  BROKERS: string[] = [];

  @IsOptional()
  @IsString()
  NOTE?: string;
}

const key = 'k'.repeat(20);

describe('loadConfig', () => {
  it('applies defaults and converts types', () => {
    const config = loadConfig(SampleConfig, { SAMPLE_API_KEY: key, FEATURE_ON: 'yes', BROKERS: 'a:1, b:2,' });
    expect(config).toMatchObject({
      PORT: 3000,
      SAMPLE_API_KEY: key,
      FEATURE_ON: true,
      BROKERS: ['a:1', 'b:2'],
    });
    expect(config.NOTE).toBeUndefined();
  });

  it('converts numbers', () => {
    expect(loadConfig(SampleConfig, { SAMPLE_API_KEY: key, PORT: '8080' }).PORT).toBe(8080);
  });

  it('lists every bad variable at once', () => {
    let error: unknown;
    try {
      loadConfig(SampleConfig, { PORT: 'eighty', FEATURE_ON: 'maybe' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.map((p) => p.variable);
    expect(problems).toEqual(['FEATURE_ON', 'PORT', 'SAMPLE_API_KEY']);
    expect((error as ConfigError).message).toContain('PORT');
    expect((error as ConfigError).message).toContain('(got "eighty")');
  });

  it('never echoes the value of a secret', () => {
    expect(() => loadConfig(SampleConfig, { SAMPLE_API_KEY: 'short-secret' })).toThrow(
      /SAMPLE_API_KEY.*value hidden/,
    );
    expect(() => loadConfig(SampleConfig, { SAMPLE_API_KEY: 'short-secret' })).not.toThrow(/short-secret/);
  });

  it('reads X_FILE (a mounted secret) without its trailing newline', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hoot-config-'));
    writeFileSync(join(dir, 'key'), `${key}\n`);
    expect(loadConfig(SampleConfig, { SAMPLE_API_KEY_FILE: join(dir, 'key') }).SAMPLE_API_KEY).toBe(key);
  });

  it('refuses both X and X_FILE', () => {
    expect(() => loadConfig(SampleConfig, { SAMPLE_API_KEY: key, SAMPLE_API_KEY_FILE: '/nope' })).toThrow(
      /either SAMPLE_API_KEY or/,
    );
  });

  it('reports an unreadable X_FILE', () => {
    expect(() => loadConfig(SampleConfig, { SAMPLE_API_KEY_FILE: '/definitely/not/here' })).toThrow(
      /SAMPLE_API_KEY_FILE: cannot read/,
    );
  });
});
