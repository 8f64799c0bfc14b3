/** Stops what global-setup started, and nothing else. */
const { execSync } = require('node:child_process');

module.exports = async function globalTeardown() {
  if (globalThis.__startedKafka) execSync(`${globalThis.__startedKafka} down`, { stdio: 'inherit' });
  if (globalThis.__startedPostgres) {
    execSync(`pg_ctlcluster --skip-systemctl-redirect ${globalThis.__startedPostgres} main stop`, { stdio: 'inherit' });
  }
};
