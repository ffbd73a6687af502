#!/bin/bash
# Boots an instance of the transaction service on Amazon Linux 2023: installs Node.js and the
# CloudWatch agent, fetches the exact service bundle this launch template version names,
# verifies its content hash, installs the systemd unit with this region's role, and starts it.
# Rendered at synth time: user-data.ts fills every name written between double at-signs.
set -euo pipefail
exec > >(tee -a /var/log/user-data.log) 2>&1

readonly REGION='@@REGION@@'
readonly DR_ROLE='@@DR_ROLE@@'
readonly ARTIFACT_BUCKET_PARAMETER='@@ARTIFACT_BUCKET_PARAMETER@@'
readonly ARTIFACT_KEY='@@ARTIFACT_KEY@@'
readonly ARTIFACT_SHA256='@@ARTIFACT_SHA256@@'
readonly NODE_MAJOR='@@NODE_MAJOR@@'
readonly ENV_FILE='@@ENV_FILE_PATH@@'
readonly SERVICE='transaction-api'
readonly INSTALL_DIR="/opt/$SERVICE"
readonly LOG_DIR="/var/log/$SERVICE"

echo "user-data: $SERVICE, role $DR_ROLE, region $REGION"

# Packages come from the AL2023 repositories, which are served from S3 (reachable through the
# VPC's gateway endpoint, so no NAT is needed).
dnf install -y "nodejs$NODE_MAJOR" amazon-cloudwatch-agent
node_bin="/usr/bin/node-$NODE_MAJOR"
if [ ! -x "$node_bin" ]; then
  node_bin="$(command -v node)"
fi

install -d -m 0755 "$INSTALL_DIR" "$LOG_DIR"
# The bucket's name holds the account id, which the image does not know: it comes from this
# region's parameters. The key and its hash are fixed in this script, so a new build is a new
# launch template version.
artifact_bucket="$(aws ssm get-parameter --region "$REGION" --name "$ARTIFACT_BUCKET_PARAMETER" --query Parameter.Value --output text)"
aws s3 cp --region "$REGION" --only-show-errors "s3://$artifact_bucket/$ARTIFACT_KEY" "$INSTALL_DIR/main.js.download"
echo "$ARTIFACT_SHA256  $INSTALL_DIR/main.js.download" | sha256sum --check --strict -
mv "$INSTALL_DIR/main.js.download" "$INSTALL_DIR/main.js"
chmod 0444 "$INSTALL_DIR/main.js"

install -d -m 0755 "$(dirname "$ENV_FILE")"
cat > "$ENV_FILE" <<'ENVFILE'
@@ENV_FILE@@
ENVFILE
chmod 0644 "$ENV_FILE"

cat > "/etc/systemd/system/$SERVICE.service" <<'UNIT'
@@UNIT_FILE@@
UNIT

# Instance-specific settings on top of the service's own unit: the Node.js binary this image has,
# and output to a file the CloudWatch agent ships.
install -d -m 0755 "/etc/systemd/system/$SERVICE.service.d"
cat > "/etc/systemd/system/$SERVICE.service.d/instance.conf" <<DROPIN
[Service]
ExecStart=
ExecStart=$node_bin $INSTALL_DIR/main.js
StandardOutput=append:$LOG_DIR/service.log
StandardError=append:$LOG_DIR/service.log
DROPIN

cat > /opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json <<'AGENT'
@@AGENT_CONFIG@@
AGENT
/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s \
  -c file:/opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json

systemctl daemon-reload
systemctl enable --now "$SERVICE.service"
echo "user-data: $SERVICE started"
