// cdktf's Jest matchers (toHaveResourceWithProperties, toBeValidTerraform, ...) for synth tests.
require('cdktf').Testing.setupJest();
