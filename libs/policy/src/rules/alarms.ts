import { fail, pass, type StackFinding } from '../engine/types';
import { isFalse, resourceRule, stacksRule, strings } from './util';
import { alarmsOnWritableChecks, writableChecks } from './writable-checks';

const ALARMS = ['aws_cloudwatch_metric_alarm', 'aws_cloudwatch_composite_alarm'];

export const alarmRules = [
  resourceRule({
    id: 'alarm-has-action',
    mirrors: 'CKV_AWS_319',
    title: 'Every alarm has actions enabled and at least one alarm action',
    severity: 'medium',
    resourceTypes: ALARMS,
    check: (alarm) => {
      if (isFalse(alarm.body.actions_enabled)) return fail('actions_enabled is false');
      return strings(alarm.body.alarm_actions).length > 0 ? pass() : fail('alarm_actions is empty: nobody hears it');
    },
  }),
  resourceRule({
    id: 'alarm-action-same-region',
    mirrors: null,
    title: "Alarm actions notify a topic of the stack in the alarm's own region (CloudWatch cannot notify across regions)",
    severity: 'high',
    resourceTypes: ALARMS,
    check: (alarm, stack) => {
      const actions = [...strings(alarm.body.alarm_actions), ...strings(alarm.body.ok_actions), ...strings(alarm.body.insufficient_data_actions)];
      for (const action of actions) {
        const target = stack.resolve(action);
        if (!target) return fail(`action ${action} is not a resource of the stack`);
        if (stack.regionOf(target) !== stack.regionOf(alarm)) {
          return fail(`${target.address} is in ${stack.regionOf(target) ?? 'an unknown region'}, the alarm in ${stack.regionOf(alarm) ?? 'an unknown region'}`);
        }
      }
      return pass();
    },
  }),
  stacksRule({
    id: 'alarm-writable-check-not-alone',
    mirrors: null,
    title: "No alarm reads one region's writable Route 53 check without the others' (only the writer's region passes it, so alone it is in ALARM in the standby and fires at every switchover)",
    severity: 'medium',
    check: (stacks) => {
      const checks = writableChecks(stacks);
      return alarmsOnWritableChecks(stacks, checks).map((alarm): StackFinding => {
        const missing = checks.filter((c) => !alarm.reads.has(c.key));
        const read = checks.filter((c) => alarm.reads.has(c.key)).map((c) => c.stack.name);
        return {
          stack: alarm.stack.name,
          resource: alarm.alarm.address,
          outcome:
            missing.length === 0
              ? pass()
              : fail(
                  `reads the writable check of ${read.join(', ')} only (${read.length} of ${checks.length} regions): that check is unhealthy by design wherever the database is not the writer; ` +
                    'alarm on every region together (no writable region, two writable regions)',
                ),
        };
      });
    },
  }),
];
