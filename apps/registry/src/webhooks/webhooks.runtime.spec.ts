import { webhookConsumerGroup } from './webhooks.runtime';

describe('webhookConsumerGroup', () => {
  it('is shared by the replicas of a node and apart for another database with the same REGISTRY_ID', () => {
    const group = webhookConsumerGroup('reg-c1-1', 'mongodb://127.0.0.1:27017/hoot_registry');
    expect(group).toBe('hoot-registry-reg-c1-1-webhooks-hoot_registry');
    expect(webhookConsumerGroup('reg-c1-1', 'mongodb://10.0.0.9:27017/hoot_registry?tls=false')).toBe(group);
    expect(webhookConsumerGroup('reg-c1-1', 'mongodb://127.0.0.1:27017/other_run')).not.toBe(group);
    expect(webhookConsumerGroup('reg-c2-1', 'mongodb://127.0.0.1:27017/hoot_registry')).not.toBe(group);
  });

  it('reads the database behind credentials, several hosts and options', () => {
    expect(
      webhookConsumerGroup('reg-c1-1', 'mongodb://u:p%2Fw@a:1,b:2/hoot%5Fa?replicaSet=rs0&authSource=admin'),
    ).toBe('hoot-registry-reg-c1-1-webhooks-hoot_a');
    expect(webhookConsumerGroup('reg-c1-1', 'mongodb://a:1')).toBe('hoot-registry-reg-c1-1-webhooks-test');
    expect(webhookConsumerGroup('reg-c1-1', 'mongodb://a:1/?tls=true')).toBe(
      'hoot-registry-reg-c1-1-webhooks-test',
    );
  });
});
