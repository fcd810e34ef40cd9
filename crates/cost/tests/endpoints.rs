//! VPC endpoints on the bill: the calls an endpoint carries leave the NAT
//! gateway's data processed; a gateway endpoint (S3, DynamoDB) costs
//! nothing, an interface endpoint its zones' hours and the GB it carries.

use archsim_cost::design_cost::{monthly_bill, scenario_usage};
use archsim_cost::{Assumptions, CostReport, Decimal, PriceBook};
use archsim_model::component::{EndpointType, Props, VpcEndpointProps};
use archsim_model::starters::starter;
use archsim_model::{Component, ComponentKind, Design, Editor, Op};

fn bill(design: &Design) -> CostReport {
    let assumptions = Assumptions::default();
    let usage = scenario_usage(design, None, &assumptions).unwrap();
    monthly_bill(&PriceBook::default_book().unwrap(), &usage, &assumptions).unwrap()
}

/// The quantity of the line whose description starts with `what`
/// (none: the bill has no such line, or a line of nothing).
fn quantity(r: &CostReport, what: &str) -> Option<Decimal> {
    r.line_items
        .iter()
        .find(|l| l.description.starts_with(what))
        .map(|l| l.quantity)
        .filter(|q| !q.is_zero())
}

fn with_endpoint(design: &Design, endpoint_type: EndpointType) -> Design {
    let mut e = Editor::new(design.clone());
    e.apply(Op::AddComponent {
        component: Component::new(
            "dynamodb-endpoint",
            "DynamoDB endpoint",
            ComponentKind::VpcEndpoint,
        )
        .with(Props::VpcEndpoint(VpcEndpointProps {
            service: "dynamodb".into(),
            endpoint_type,
            ..Default::default()
        })),
    })
    .unwrap();
    e.into_design()
}

#[test]
fn an_endpoint_takes_its_service_calls_off_the_nat_gateway() {
    // The queue worker's service writes its results table from a private
    // subnet: through the NAT gateway, unless an endpoint carries it.
    let design = starter("queue-worker").unwrap().build().unwrap();
    let before = bill(&design);
    let nat_before = quantity(&before, "NAT gateway data processed").unwrap();
    assert!(nat_before > Decimal::ZERO);

    let gateway = bill(&with_endpoint(&design, EndpointType::Gateway));
    let nat_gateway = quantity(&gateway, "NAT gateway data processed").unwrap_or_default();
    assert!(nat_gateway < nat_before, "{nat_gateway} < {nat_before}");
    // A gateway endpoint has no charge.
    assert!(quantity(&gateway, "Interface endpoint").is_none());
    assert!(gateway.total_usd < before.total_usd);

    let interface = bill(&with_endpoint(&design, EndpointType::Interface));
    assert_eq!(
        quantity(&interface, "NAT gateway data processed").unwrap_or_default(),
        nat_gateway
    );
    // Two zones all month, and exactly the GB the NAT gateway no longer
    // processes.
    let hours = quantity(&interface, "Interface endpoint hours").unwrap();
    assert_eq!(hours, Decimal::from(2 * 730));
    let carried = quantity(&interface, "Interface endpoint data processed").unwrap();
    assert_eq!((carried + nat_gateway).round_dp(6), nat_before.round_dp(6));
}
