"""Floods cost little: API Gateway throttles each route of the stage, and a WAF web ACL can be attached,
both from template parameters (nothing of this runs in a function)."""

from __future__ import annotations

from loyalty_dev.template import load_template


def test_each_route_of_the_stage_is_throttled_by_template_parameters() -> None:
    template = load_template()
    parameters = template.document["Parameters"]
    (setting,) = template.resources["LoyaltyApi"]["Properties"]["MethodSettings"]

    assert (setting["ResourcePath"], setting["HttpMethod"]) == (
        "/*",
        "*",
    )  # every method, each its own bucket
    assert setting["ThrottlingRateLimit"] == {"Ref": "ApiThrottlingRateLimit"}
    assert setting["ThrottlingBurstLimit"] == {"Ref": "ApiThrottlingBurstLimit"}
    assert parameters["ApiThrottlingRateLimit"]["Type"] == "Number"
    assert parameters["ApiThrottlingBurstLimit"]["Type"] == "Number"


def test_an_optional_web_acl_is_associated_with_the_stage() -> None:
    template = load_template()
    association = template.resources["LoyaltyApiWebAcl"]

    assert template.document["Parameters"]["WebAclArn"]["Default"] == ""
    assert association["Type"] == "AWS::WAFv2::WebACLAssociation"
    assert association["Condition"] == "HasWebAcl"
    assert template.document["Conditions"]["HasWebAcl"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "WebAclArn"}, ""]}]
    }
    assert association["Properties"]["WebACLArn"] == {"Ref": "WebAclArn"}
    assert "${LoyaltyApi.Stage}" in association["Properties"]["ResourceArn"]["Fn::Sub"]
