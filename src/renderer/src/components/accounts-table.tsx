// The accounts table moved to components/accounts/ (windowed list, filters, actions); the
// names other modules import from here stay available.
export { quotaName } from './accounts/quota-name';
export { QuotaLine } from './accounts/quota-line';
