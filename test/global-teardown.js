/** Stops what global-setup started, and nothing else; runs once per tier, so it forgets what it stopped. */
const { execSync } = require('node:child_process');

module.exports = async function globalTeardown() {
  if (globalThis.__startedKafka) {
    execSync(`${globalThis.__startedKafka} down`, { stdio: 'inherit' });
    delete globalThis.__startedKafka;
  }
  if (globalThis.__startedPostgres) {
    execSync(`pg_ctlcluster --skip-systemctl-redirect ${globalThis.__startedPostgres} main stop`, { stdio: 'inherit' });
    delete globalThis.__startedPostgres;
  }
};
