import { fail, na, pass } from '../engine/types';
import { block, blocks, isTrue, resourceRule, strings, toNumber } from './util';

const COMPUTE = ['aws_instance', 'aws_launch_template'];

export const ec2Rules = [
  resourceRule({
    id: 'ec2-imdsv2',
    mirrors: 'CKV_AWS_79',
    title: 'Instances and launch templates require IMDSv2 (http_tokens = required)',
    severity: 'high',
    resourceTypes: COMPUTE,
    check: (r) => {
      const metadata = block(r.body.metadata_options);
      if (metadata.http_endpoint === 'disabled') return pass();
      return metadata.http_tokens === 'required' ? pass() : fail(`metadata_options.http_tokens is ${String(metadata.http_tokens ?? 'unset (optional)')}`);
    },
  }),
  resourceRule({
    id: 'ec2-imds-hop-limit',
    mirrors: 'CKV_AWS_341',
    title: 'Instance metadata responses do not leave the instance (http_put_response_hop_limit = 1)',
    severity: 'medium',
    resourceTypes: COMPUTE,
    check: (r) => {
      const metadata = block(r.body.metadata_options);
      if (metadata.http_endpoint === 'disabled') return pass();
      const hops = toNumber(metadata.http_put_response_hop_limit);
      return hops === 1 ? pass() : fail(`metadata_options.http_put_response_hop_limit is ${hops ?? 'unset'}, not 1`);
    },
  }),
  resourceRule({
    id: 'ec2-ebs-encrypted',
    mirrors: 'CKV_AWS_8',
    title: 'EBS volumes of instances, launch templates and standalone volumes are encrypted',
    severity: 'high',
    resourceTypes: [...COMPUTE, 'aws_ebs_volume'],
    check: (r) => {
      if (r.type === 'aws_ebs_volume') return isTrue(r.body.encrypted) ? pass() : fail('encrypted is not true');
      const volumes =
        r.type === 'aws_launch_template'
          ? blocks(r.body.block_device_mappings).map((m) => ({ name: String(m.device_name), ebs: block(m.ebs) }))
          : [{ name: 'root', ebs: block(r.body.root_block_device) }, ...blocks(r.body.ebs_block_device).map((b) => ({ name: String(b.device_name), ebs: b }))];
      if (volumes.length === 0) return fail('no block device mapping sets encryption (the image default applies)');
      const plain = volumes.filter((v) => !isTrue(v.ebs.encrypted)).map((v) => v.name);
      return plain.length === 0 ? pass() : fail(`unencrypted volumes: ${plain.join(', ')}`);
    },
  }),
  resourceRule({
    id: 'ec2-no-public-ip',
    mirrors: 'CKV_AWS_88',
    title: 'Instances and launch templates do not associate public IP addresses',
    severity: 'high',
    resourceTypes: COMPUTE,
    check: (r) => {
      if (r.type === 'aws_instance') return isTrue(r.body.associate_public_ip_address) ? fail('associate_public_ip_address is true') : pass();
      // Without the argument the subnet decides, and vpc-subnet-no-auto-public-ip checks subnets.
      const publicOnes = blocks(r.body.network_interfaces).filter((i) => isTrue(i.associate_public_ip_address));
      return publicOnes.length === 0 ? pass() : fail('a network interface sets associate_public_ip_address = true');
    },
  }),
  resourceRule({
    id: 'ec2-detailed-monitoring',
    mirrors: 'CKV_AWS_126',
    title: 'Instances and launch templates enable detailed monitoring',
    severity: 'low',
    resourceTypes: COMPUTE,
    check: (r) => {
      const enabled = r.type === 'aws_instance' ? isTrue(r.body.monitoring) : isTrue(block(r.body.monitoring).enabled);
      return enabled ? pass() : fail('detailed monitoring is off');
    },
  }),
  resourceRule({
    id: 'vpc-subnet-no-auto-public-ip',
    mirrors: 'CKV_AWS_130',
    title: 'Subnets do not assign public IP addresses on launch',
    severity: 'medium',
    resourceTypes: ['aws_subnet'],
    check: (r) => (isTrue(r.body.map_public_ip_on_launch) ? fail('map_public_ip_on_launch is true') : pass()),
  }),
  resourceRule({
    id: 'asg-elb-health-check',
    mirrors: 'AwsSolutions-AS2',
    title: 'Auto Scaling groups behind a load balancer use ELB health checks',
    severity: 'medium',
    resourceTypes: ['aws_autoscaling_group'],
    check: (r) => {
      const attached = strings(r.body.target_group_arns).length > 0 || strings(r.body.load_balancers).length > 0;
      if (!attached) return na('not attached to a load balancer');
      return r.body.health_check_type === 'ELB' ? pass() : fail(`health_check_type is ${String(r.body.health_check_type ?? 'EC2 (default)')}`);
    },
  }),
];
