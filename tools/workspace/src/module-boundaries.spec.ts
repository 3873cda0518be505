import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { workspaceRoot } from '@hoot/testing';

interface Probe {
  filePath: string;
  code: string;
}
interface Linted {
  filePath: string;
  messages: { ruleId: string | null; message: string }[];
}

/** Lints virtual files placed inside real projects with the real config, in one ESLint process. */
function lint(probes: Probe[]): Map<string, Linted['messages']> {
  const out = execFileSync(process.execPath, [join(__dirname, 'lint-probe.mjs')], {
    cwd: workspaceRoot(),
    input: JSON.stringify(probes),
    encoding: 'utf8',
    timeout: 120_000,
  });
  return new Map((JSON.parse(out) as Linted[]).map((r) => [r.filePath, r.messages]));
}

const BOUNDARY_RULES = new Set(['@nx/enforce-module-boundaries', 'no-restricted-imports']);
const boundary = (messages: Linted['messages'] | undefined) =>
  (messages ?? [])
    .filter((m) => m.ruleId && BOUNDARY_RULES.has(m.ruleId))
    .map((m) => `${m.ruleId}: ${m.message}`);

describe('module boundaries (ESLint on bad samples)', () => {
  const probes: Record<string, Probe> = {
    appImportsApp: {
      filePath: 'tools/workspace/fixtures/app-one/src/probe.ts',
      code: "import { thing } from '../../app-two/src/main';\nexport const x = thing;\n",
    },
    domainImportsOurLib: {
      filePath: 'libs/domain/src/probe.ts',
      // @hoot/testing depends on nothing of ours, so the only finding is the scope rule (not a cycle).
      code: "import { eventually } from '@hoot/testing';\nexport const x = eventually;\n",
    },
    mongoImportsKafkajs: {
      filePath: 'libs/mongo/src/probe.ts',
      code: "import { Kafka } from 'kafkajs';\nexport const x = Kafka;\n",
    },
    eventsImportsMongoose: {
      filePath: 'libs/events/src/probe.ts',
      code: "import mongoose from 'mongoose';\nexport const x = mongoose;\n",
    },
    testingImportsKurento: {
      filePath: 'libs/testing/src/probe.ts',
      code: "import kurento from 'kurento-client';\nexport const x = kurento;\n",
    },
    testingImportsK8s: {
      filePath: 'libs/testing/src/probe2.ts',
      code: "import { KubeConfig } from '@kubernetes/client-node';\nexport const x = KubeConfig;\n",
    },
    eventsImportsKafkajs: {
      filePath: 'libs/events/src/probe.ok.ts',
      code: "import { Kafka } from 'kafkajs';\nexport const x = Kafka;\n",
    },
    mongoImportsMongoose: {
      filePath: 'libs/mongo/src/probe.ok.ts',
      code: "import mongoose from 'mongoose';\nexport const x = mongoose;\n",
    },
    eventsImportsDomain: {
      filePath: 'libs/events/src/probe.ok2.ts',
      code: "import { systemClock } from '@hoot/domain';\nexport const x = systemClock;\n",
    },
    platformImportsTesting: {
      filePath: 'libs/platform/src/lib/probe.ts',
      code: "import { eventually } from '@hoot/testing';\nexport const x = eventually;\n",
    },
    appImportsTesting: {
      filePath: 'apps/auth/src/probe.ts',
      code: "import { FakeClock } from '@hoot/testing';\nexport const x = FakeClock;\n",
    },
    platformSpecImportsTesting: {
      filePath: 'libs/platform/src/lib/probe.ok.spec.ts',
      code: "import { FakeClock } from '@hoot/testing';\nexport const x = FakeClock;\n",
    },
    platformImportsProcess: {
      filePath: 'libs/platform/src/lib/probe.ok.ts',
      code: "import { freePort } from '@hoot/process';\nexport const x = freePort;\n",
    },
  };
  let results: Map<string, Linted['messages']>;

  beforeAll(() => {
    results = lint(Object.values(probes));
  });

  const hits = (name: keyof typeof probes) => boundary(results.get(probes[name].filePath));

  it('forbids an app importing another app', () => {
    expect(hits('appImportsApp').join('\n')).toMatch(/relative or absolute path|app/i);
  });

  it('forbids the domain importing any lib of ours', () => {
    expect(hits('domainImportsOurLib').join('\n')).toMatch(/enforce-module-boundaries: .*"scope:domain"/);
  });

  it('forbids kafkajs outside libs/events', () => {
    expect(hits('mongoImportsKafkajs').join('\n')).toMatch(/only its owner lib may import kafkajs/);
  });

  it('forbids mongoose outside libs/mongo', () => {
    expect(hits('eventsImportsMongoose').join('\n')).toMatch(/only its owner lib may import mongoose/);
  });

  it('forbids kurento-client outside libs/media', () => {
    expect(hits('testingImportsKurento').join('\n')).toMatch(/only its owner lib may import kurento-client/);
  });

  it('forbids @kubernetes/client-node outside libs/k8s', () => {
    expect(hits('testingImportsK8s').join('\n')).toMatch(
      /only its owner lib may import @kubernetes\/client-node/,
    );
  });

  it('forbids production code of a lib or an app importing the test lib', () => {
    expect(hits('platformImportsTesting').join('\n')).toMatch(
      /can only depend on libs tagged with "type:lib"/,
    );
    expect(hits('appImportsTesting').join('\n')).toMatch(/can only depend on libs tagged with "type:lib"/);
  });

  it('allows specs the test lib, and npm start the process machinery', () => {
    expect(hits('platformSpecImportsTesting')).toEqual([]);
    expect(hits('platformImportsProcess')).toEqual([]);
  });

  it('allows each owner its own dependency and libs their barrels', () => {
    expect(hits('eventsImportsKafkajs')).toEqual([]);
    expect(hits('mongoImportsMongoose')).toEqual([]);
    expect(hits('eventsImportsDomain')).toEqual([]);
  });
});
