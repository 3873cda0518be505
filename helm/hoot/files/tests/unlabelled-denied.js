(async () => {
  for (const url of process.env.REGISTRY_URLS.split(','))
    await until(
      `the registry's public API ${url} is reachable`,
      async () => (await http(`${url}/health/live`)).status === 200,
    );
  const targets = [new URL(process.env.AUTH_URL).host];
  if (process.env.MONGO) targets.push(process.env.MONGO);
  for (const target of targets) {
    const [host, port] = target.split(':');
    const answer = await tcp(host, port || 80);
    if (answer === 'open')
      fail(`${target} is reachable from an unlabelled pod (NetworkPolicy not enforced?)`);
    else ok(`${target} is unreachable from an unlabelled pod (${answer})`);
  }
  done();
})();
