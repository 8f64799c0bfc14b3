export { WakeableSleep } from './wakeable-sleep';
