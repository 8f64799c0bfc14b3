export {
  UnityMetrics,
  METRIC_NAMES,
  isoWeek,
  parseWindow,
  percentile,
  type Dimension,
  type MetricName,
  type MetricRow,
  type MetricsOptions,
} from './unity-metrics';
