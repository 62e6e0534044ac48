#!/usr/bin/env bash
# Gradescope runs this once when it builds the autograder image.
set -euo pipefail
apt-get update -qq && apt-get install -y -qq python3-pip python3-venv > /dev/null
pip3 install --quiet torch=={torch} torchvision=={torchvision}
pip3 install --quiet /autograder/source/grader-src
