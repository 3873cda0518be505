(async () => {
  const urls = process.env.REGISTRY_URLS.split(',');
  const expected = process.env.COREMX_IDS.split(',').filter(Boolean).sort();
  const password = require('node:fs')
    .readFileSync('/var/run/secrets/hoot/test/admin-password', 'utf8')
    .trim();
  let token;
  await until(`${process.env.ADMIN_USERNAME} signs in through ${urls[0]}`, async () => {
    const r = await http(`${urls[0]}/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'password', username: process.env.ADMIN_USERNAME, password }),
    });
    token = r.json && r.json.access_token;
    return Boolean(token) || `${r.status} ${r.text}`;
  });
  if (!token) return done();
  for (const url of urls)
    await until(`${url} lists CoreMX ${expected.join(', ')} (alive, active)`, async () => {
      const r = await http(`${url}/v1/coremx`, { headers: { authorization: `Bearer ${token}` } });
      if (r.status !== 200) return `${r.status} ${r.text}`;
      const live = r.json.coremx
        .filter((c) => c.liveness === 'alive' && c.state === 'active')
        .map((c) => c.coremxId)
        .sort();
      return (
        expected.every((id) => live.includes(id)) ||
        `listed: ${JSON.stringify(r.json.coremx.map((c) => [c.coremxId, c.liveness, c.state]))}`
      );
    });
  done();
})();
