// Entry of the instance page bundle (dist/webview/instance.js): connects the page to the host and
// hands over. The HTML shell holds no data; the instance arrives with `hello` and the requests.
import type { InstanceHello } from '../../shared/protocol';
import { InstanceNotifications } from '../../shared/protocol';
import { PageClient, vscodeApi } from '../rpc';
import { InstancePage } from './page';

const root = document.getElementById('app');
if (root) {
  const host = vscodeApi();
  const client = new PageClient<InstanceHello>(host);
  const page = new InstancePage(root, client, host);
  client.on(InstanceNotifications.refresh, () => void page.refresh(true));
  client.on(InstanceNotifications.settings, (settings) => page.setSettings(settings));
  let scrollSave: ReturnType<typeof setTimeout> | undefined;
  root.addEventListener(
    'scroll',
    () => {
      clearTimeout(scrollSave);
      scrollSave = setTimeout(() => page.persistScroll(), 500);
    },
    { capture: true, passive: true },
  );
  client.start((hello) => page.hello(hello));
}
