// Approve or reject the authorization session in the URL as the guest user: what Backstage's
// consent page does, with the guest provider's sign-in.
(async () => {
  const sessionId = decodeURIComponent(location.pathname.split('/').pop());
  const session = encodeURIComponent(sessionId);
  const client = document.getElementById('client');
  const status = document.getElementById('status');
  const buttons = ['approve', 'reject'].map(id => document.getElementById(id));

  const res = await fetch(`/api/auth/v1/sessions/${session}`);
  if (!res.ok) {
    client.textContent = `This authorization request is unknown or has expired (${res.status}).`;
    return;
  }
  const request = await res.json();
  client.textContent =
    `${request.clientName} (${request.clientId}) asks to use Backstage as you` +
    `${request.scope ? `, with scope "${request.scope}"` : ''}; it will get its answer at ${request.redirectUri}.`;
  buttons.forEach(button => (button.disabled = false));

  async function decide(decision) {
    buttons.forEach(button => (button.disabled = true));
    status.textContent = 'Signing in as the guest…';
    const guest = await fetch('/api/auth/guest/refresh?env=development', {
      headers: { 'X-Requested-With': 'XMLHttpRequest' },
    }).then(r => r.json());
    const answer = await fetch(`/api/auth/v1/sessions/${session}/${decision}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${guest.backstageIdentity.token}` },
    });
    const body = await answer.json();
    if (!answer.ok) {
      status.textContent = `The auth backend refused: ${body.error_description ?? answer.status}`;
      return;
    }
    status.textContent = 'Done: back to the client…';
    location.href = body.redirectUrl;
  }
  buttons[0].addEventListener('click', () => decide('approve'));
  buttons[1].addEventListener('click', () => decide('reject'));
})();
