# deploy/kubernetes, checked without a cluster (included from tests/CMakeLists.txt).
# deploy.kubernetes_tools installs the pinned tools once into a cache shared by
# every build tree (kustomize built with go; kubernetes-validate in a venv):
# the only step that fetches anything. deploy.kubernetes then renders the
# kustomizations, validates them against the bundled Kubernetes schemas, checks
# references, probes, resources, security contexts and NetworkPolicies, breaks
# them on purpose to show each check bites, and runs this tree's services with
# the rendered settings.
add_test(NAME deploy.kubernetes_tools COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/deploy/kubernetes_tools.sh)
set_tests_properties(deploy.kubernetes_tools PROPERTIES
  FIXTURES_SETUP gempool_kubernetes_tools LABELS "deploy" TIMEOUT 900)
add_test(NAME deploy.kubernetes COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/deploy/check_kubernetes.sh
  --bin-dir ${CMAKE_BINARY_DIR}/services)
set_tests_properties(deploy.kubernetes PROPERTIES
  FIXTURES_REQUIRED gempool_kubernetes_tools LABELS "deploy" TIMEOUT 120)
