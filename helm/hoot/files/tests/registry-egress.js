(async () => {
  await until(`auth is ready at ${process.env.AUTH_URL}`, async () => {
    const r = await http(`${process.env.AUTH_URL}/health/ready`);
    return r.status === 200 || `${r.status} ${r.text}`;
  });
  for (const name of ['MONGO', 'KAFKA', 'API_SERVER']) {
    const target = process.env[name];
    if (!target) continue;
    const [host, port] = target.split(':');
    await until(
      `${name.toLowerCase()} ${target} accepts connections`,
      async () => (await tcp(host, port)) === 'open' || `not open`,
    );
  }
  done();
})();
