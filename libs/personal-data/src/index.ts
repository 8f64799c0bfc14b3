export { FileMasterKey, type MasterKey } from './master-key';
export { dataKey, fieldContext, openValue, sealValue, type DataKey } from './personal-data-cipher';
export { PersonalDataKeys, type KeyState, type PersonalDataKeysOptions } from './personal-data-keys';
export { PersonalDataLog, UNREADABLE, clearPersonalFields } from './personal-data-log';
export { PersonalData } from './personal-data';
export { rotateMasterKey, type Rotation } from './master-key-rotation';
export { byteForms, fileHolds, kafkaTopicFiles, sqliteFiles } from './raw-bytes-scan';
