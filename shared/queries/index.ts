/** Typed, validated query definitions and their Flink SQL rendering. */
export * from './definition.js';
export { parseDuration, toInterval, msToInterval } from './duration.js';
export { defineQuery, type DefineQueryOptions } from './validate.js';
export { toFlinkSql, aggregateExpression, SOURCE_TABLE } from './flinkSql.js';
