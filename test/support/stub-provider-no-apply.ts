// Preloaded into a CLI run (node --import) by tests: the registry's 'huawei' slot holds a stub provider that has
// no `apply` (a cloud whose writes are not wired), so "applying is not available" is tested without depending on
// which real cloud lacks it.
import { L } from '../../src/core/i18n';
import { huaweiProvider } from '../../src/core/cloud/huawei/provider';
import { providers } from '../../src/core/cloud/registry';

providers.huawei = { ...huaweiProvider, name: L('桩云', 'Stub Cloud'), apply: undefined };
