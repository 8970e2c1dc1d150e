// @ts-check
// Confirmations (mcpActions.confirm): one row per question to a person about one tool call,
// bound to the caller and to a hash of the server, tool and exact arguments. Every change is a
// compare-and-set on the status (plugin/tasks/confirmations.ts), so that whichever replica
// serves the retry uses a confirmation once. Swept when it expires.

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.createTable('mcp_actions_confirmations', table => {
    table.comment('Tool calls waiting for, or given, their caller’s confirmation');
    table.string('confirmation_id', 64).primary();
    table.string('owner', 255).notNullable().comment('the caller: the only one who may answer');
    table.string('binding', 64).notNullable().comment('SHA-256 of server, tool and arguments');
    table.string('server', 255).notNullable().comment('"" for the default server');
    table.string('tool', 255).notNullable();
    table.string('action_id', 255).notNullable();
    table.string('action_title', 255).nullable();
    table.text('question').notNullable();
    table.text('arguments').notNullable().comment('shown to the owner, at most 4 KiB');
    table.string('rule', 255).notNullable();
    table.string('client', 255).nullable();
    table.string('status', 16).notNullable().comment('pending, confirmed, declined or used');
    table.bigInteger('created_ms').notNullable();
    table.bigInteger('expires_ms').notNullable().index();
    table.index(['owner', 'status']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mcp_actions_confirmations');
};
