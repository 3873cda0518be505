(async () => {
  for (const url of process.env.REGISTRY_URLS.split(','))
    await until(`registry ${url} is ready`, async () => {
      const r = await http(`${url}/health/ready`);
      return r.status === 200 || `${r.status} ${r.text}`;
    });
  done();
})();
