export { ADMIN_PASSWORD, ADMIN_USER, APP_PASSWORD, APP_USER, MariaDbServer, SCHEMA_PREFIX, freePort, mariadbBinaries, type ServerInfo } from './mariadb-server';
