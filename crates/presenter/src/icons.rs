//! The kinds' AWS Architecture Icons, as the designer shows them: the SVG
//! files of the `aws-icons` npm package (MIT, AWS's official set) that
//! [`ComponentKind::aws_icon`] names, copied into `crates/presenter/aws-icons/`
//! so the presenter builds without Node. egui_extras' SVG loader draws them.
//! A test checks the copies against the package when `ui/node_modules` has it.

use archsim_model::ComponentKind;

macro_rules! embedded {
    ($($path:literal,)*) => {
        /// Every embedded icon, by its path under the package's `icons/`.
        const ICONS: &[(&str, &[u8])] = &[
            $(($path, include_bytes!(concat!("../aws-icons/", $path))),)*
        ];
    };
}

embedded! {
    "architecture-service/AWSCloudFormation.svg",
    "architecture-service/AWSFargate.svg",
    "architecture-service/AWSLambda.svg",
    "architecture-service/AWSSecretsManager.svg",
    "architecture-service/AWSStepFunctions.svg",
    "architecture-service/AmazonAPIGateway.svg",
    "architecture-service/AmazonAurora.svg",
    "architecture-service/AmazonCloudFront.svg",
    "architecture-service/AmazonCognito.svg",
    "architecture-service/AmazonDataFirehose.svg",
    "architecture-service/AmazonDynamoDB.svg",
    "architecture-service/AmazonEC2.svg",
    "architecture-service/AmazonEC2AutoScaling.svg",
    "architecture-service/AmazonElasticContainerRegistry.svg",
    "architecture-service/AmazonElasticContainerService.svg",
    "architecture-service/AmazonElasticKubernetesService.svg",
    "architecture-service/AmazonEventBridge.svg",
    "architecture-service/AmazonKinesisDataStreams.svg",
    "architecture-service/AmazonLex.svg",
    "architecture-service/AmazonRDS.svg",
    "architecture-service/AmazonSimpleNotificationService.svg",
    "architecture-service/AmazonSimpleQueueService.svg",
    "architecture-service/AmazonSimpleStorageService.svg",
    "resource/AWSIdentityAccessManagementRole.svg",
    "resource/AWSIoTAlexaSkill.svg",
    "resource/AmazonEC2Instances.svg",
    "resource/AmazonEventBridgeCustomEventBus.svg",
    "resource/AmazonEventBridgePipes.svg",
    "resource/AmazonElasticContainerRegistryImage.svg",
    "resource/AmazonElasticContainerServiceContainer1.svg",
    "resource/AmazonElasticContainerServiceService.svg",
    "resource/AmazonElasticContainerServiceTask.svg",
    "resource/AmazonVPCEndpoints.svg",
    "resource/ElasticLoadBalancingApplicationLoadBalancer.svg",
    "resource/ElasticLoadBalancingClassicLoadBalancer.svg",
    "resource/ElasticLoadBalancingNetworkLoadBalancer.svg",
    "resource/Users.svg",
}

/// A kind's icon: its `bytes://` URI (egui caches the decoded image under it)
/// and the SVG.
pub fn icon(kind: ComponentKind) -> Option<(String, &'static [u8])> {
    let path = kind.aws_icon();
    ICONS
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(p, bytes)| (format!("bytes://aws-icons/{p}"), *bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn every_kind_has_its_icon_embedded() {
        for &kind in ComponentKind::ALL {
            let (uri, svg) = icon(kind).unwrap_or_else(|| {
                panic!(
                    "{kind:?}'s icon {} is not embedded: copy it from ui/node_modules/aws-icons/icons into crates/presenter/aws-icons and list it in icons.rs",
                    kind.aws_icon()
                )
            });
            assert!(uri.ends_with(".svg"));
            assert!(
                std::str::from_utf8(svg).unwrap().starts_with("<svg"),
                "{kind:?}"
            );
        }
    }

    #[test]
    fn the_copies_are_the_packages_files() {
        let package =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/node_modules/aws-icons/icons");
        if !package.is_dir() {
            eprintln!(
                "skipped: comparing the icons with the aws-icons package (ui/node_modules is not installed; run npm ci in ui)"
            );
            return;
        }
        for (path, bytes) in ICONS {
            let original = std::fs::read(package.join(path)).unwrap();
            assert_eq!(
                &original[..],
                *bytes,
                "{path} differs from the package's file"
            );
        }
    }
}
