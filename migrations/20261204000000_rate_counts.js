// @ts-check
// Rate limits per caller (mcpActions.rateLimits): the deployment's count of one rule's calls
// by one caller in one window, shared by every replica. Written and read by
// plugin/tasks/store.ts (op claimRates: replicas claim leases of calls and give back what
// they did not use, in one transaction); what to claim is the engine's rule.

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.createTable('mcp_actions_rate_counts', table => {
    table.comment('Calls counted per rate-limit rule, caller and window, leases included');
    table.string('rule', 255).notNullable().comment('The rule name (mcpActions.rateLimits[].name)');
    table.string('principal', 255).notNullable().comment('user:<entity ref> or service:<subject>');
    table.bigInteger('window_start_ms').notNullable();
    table.bigInteger('count').notNullable();
    table.bigInteger('expires_ms').notNullable().index().comment('The window end: swept after it');
    table.primary(['rule', 'principal', 'window_start_ms']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mcp_actions_rate_counts');
};
