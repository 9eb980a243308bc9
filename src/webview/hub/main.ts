// Entry of the task hub page bundle (dist/webview/hub.js): connects the page to the host and hands
// over. The HTML shell holds no data; the hub arrives with `hello` and the requests.
import type { HubHello } from '../../shared/protocol/hub';
import { HubNotifications } from '../../shared/protocol/hub';
import { PageClient, vscodeApi } from '../rpc';
import { HubPage } from './page';

const root = document.getElementById('app');
if (root) {
  const host = vscodeApi();
  const client = new PageClient<HubHello>(host);
  const page = new HubPage(root, client, host);
  client.on(HubNotifications.refresh, () => page.refresh());
  client.on(HubNotifications.settings, (settings) => page.setSettings(settings));
  client.on(HubNotifications.bulkProgress, (progress) => page.bulkProgress(progress));
  client.start((hello) => page.hello(hello));
}
