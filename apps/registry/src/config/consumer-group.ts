/**
 * The Kafka consumer group of one feature of a registry node: named after the node *and its database*, so
 * the replicas of a node (one database) share the work, while another deployment that reuses the registry
 * id on the same Kafka (a second environment, or two test runs side by side) never takes events meant for
 * this one's store.
 */
export function registryConsumerGroup(registryId: string, mongoUri: string, feature: string): string {
  return `hoot-registry-${registryId}-${feature}-${mongoDatabaseOf(mongoUri)}`;
}

/** The database of a `mongodb://[user@]host[,host…][/database][?options]` URI (the driver's `test` if none). */
export function mongoDatabaseOf(uri: string): string {
  const rest = uri.replace(/^mongodb(\+srv)?:\/\//, '');
  const slash = rest.indexOf('/');
  const database = slash < 0 ? '' : decodeURIComponent(rest.slice(slash + 1).split('?')[0]);
  return database || 'test';
}
