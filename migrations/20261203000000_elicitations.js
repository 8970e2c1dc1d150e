// @ts-check
// Requests for the secrets of actions (`schema.secrets`), answered by their user on the
// Backstage page /mcp-actions/secrets/{id}: the table name Backstage's own plugin uses. Written
// and read by plugin/tasks/store.ts; who may answer and use one, and for how long, is the
// engine's rule. `sealed` holds AES-256-GCM ciphertext (mcpActions.secrets.encryptionKey),
// never a value, and is cleared when a call uses it.

/** @param {import('knex').Knex} knex */
exports.up = async function up(knex) {
  await knex.schema.createTable('mcp_elicitations', table => {
    table.comment('MCP URL elicitations of action secrets, bound to a user and an action');
    table.string('elicitation_id', 64).primary().comment('128 random bits, hex');
    table.string('owner', 255).notNullable().comment('The principal whose tool call asked');
    table.string('action_id', 255).notNullable();
    table.string('tool', 255).notNullable();
    table.text('action_title').nullable();
    table.text('action_description').nullable();
    table.text('secrets_schema').notNullable().comment('JSON Schema of the secrets');
    table.string('client', 255).nullable().comment('clientInfo.name of the asking client');
    table.string('csrf_token', 64).notNullable();
    table.string('status', 16).notNullable().comment('pending, submitted, used');
    table.text('sealed').nullable().comment('AES-256-GCM of the submitted secrets; cleared on use');
    table.bigInteger('created_ms').notNullable();
    table.bigInteger('expires_ms').notNullable().index();
    table.index(['owner', 'action_id'], 'mcp_elicitations_owner_action');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('mcp_elicitations');
};
