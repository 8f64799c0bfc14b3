export { JourneyViewsTopic, VIEWS_TOPIC_CONFIG, type JourneyViewsTopicOptions } from './journey-views-topic';
