// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC2771Forwarder} from "@openzeppelin/contracts/metatx/ERC2771Forwarder.sol";
import {Errors} from "@openzeppelin/contracts/utils/Errors.sol";

import {ForwardingInterface as Forwarding} from "./utils/Contracts.sol";
import {TestTokenInterface as TestToken} from "./utils/Contracts.sol";
import {IHarvester} from "../../contracts/interfaces/IHarvester.sol";
import {IOrderBook} from "../../contracts/interfaces/IOrderBook.sol";
import {IRegistry} from "../../contracts/interfaces/IRegistry.sol";
import {IStage} from "../../contracts/interfaces/IStage.sol";
import {Roles} from "../../contracts/libraries/Roles.sol";
import {FishTraceTest} from "./utils/FishTraceTest.sol";

/// @notice Sponsored actions: actors with no Ether sign ERC-2771 `ForwardRequest`s that a sponsor submits through
/// the deployment's forwarder (OpenZeppelin `ERC2771Forwarder`, domain "FishTrace"), and the registry and the stages
/// act as the signer. Forged signatures, replayed nonces and expired deadlines are refused by the forwarder; a
/// forwarder the deployment does not trust cannot act for anyone, and a sender appended by any other caller is
/// ignored.
contract SponsoredActionsTest is FishTraceTest {
    bytes32 private constant FORWARD_REQUEST_TYPEHASH = keccak256(
        "ForwardRequest(address from,address to,uint256 value,uint256 gas,uint256 nonce,uint48 deadline,bytes data)"
    );
    uint256 private constant GAS = 500_000;

    address private sponsor;
    uint256 private harvesterKey;

    function setUp() public {
        _useTestToken();
        _deployWithParticipants();
        sponsor = makeAddr("sponsor");
        vm.deal(sponsor, 10 ether);
        harvesterKey = uint256(keccak256(bytes("harvester1")));
        assertEq(vm.addr(harvesterKey), harvester1, "key");
        vm.deal(harvester1, 0);
    }

    // ------------------------------------------------------------------ acting as the signer

    function test_registerFish_throughExecute_recordsTheSigner() public {
        IHarvester.Catch memory c = _catch(COD, 250_000);
        ERC2771Forwarder.ForwardRequestData memory request = _request(
            harvesterKey,
            address(harvester),
            abi.encodeCall(IHarvester.registerFish, (c))
        );
        vm.expectEmit(true, true, false, true, address(harvester));
        emit IHarvester.FishRegistered(1, _idOf(harvester1), c);
        vm.prank(sponsor);
        _forwarder().execute(request);
        assertEq(harvester.getLot(1).custodianId, _idOf(harvester1), "the signer holds the lot");
        assertEq(harvester1.balance, 0, "the harvester paid nothing");
        assertEq(_forwarder().nonces(harvester1), 1, "nonce used");
    }

    function test_registerFish_throughExecuteBatch_ofTen() public {
        ERC2771Forwarder.ForwardRequestData[] memory requests = new ERC2771Forwarder.ForwardRequestData[](10);
        for (uint256 i; i < 10; ++i) {
            requests[i] = _requestAt(
                harvesterKey,
                address(harvester),
                abi.encodeCall(IHarvester.registerFish, (_catch(COD, uint40(1_000 * (i + 1))))),
                i
            );
        }
        vm.prank(sponsor);
        _forwarder().executeBatch(requests, payable(address(0)));
        assertEq(harvester.totalAvailableFish(COD).lots, 10, "ten lots");
        for (uint256 id = 1; id <= 10; ++id) {
            assertEq(harvester.getLot(id).custodianId, _idOf(harvester1), "each held by the signer");
            assertEq(harvester.getLot(id).weightGrams, 1_000 * id, "in order");
        }
    }

    function test_tokenOrder_sponsored_endToEnd_paysTheSigner() public {
        // The supplier, with no Ether, orders with a permit, and the harvester withdraws: all through the sponsor.
        uint256 supplierKey = uint256(keccak256(bytes("supplier1")));
        vm.deal(supplier1, 0);
        TestToken token = TestToken(settlementToken);
        uint256 price = 500_000_000;
        token.mint(supplier1, price);
        uint256 lotId = _registerLot(harvester1, COD, 10_000);
        uint256 deadline = _now() + 1 hours;
        (uint8 v, bytes32 r, bytes32 s) = _permit(supplierKey, address(harvester), price, deadline);
        bytes memory place = abi.encodeCall(
            IOrderBook.placeOrderWithPermit,
            (harvester1, COD, 10_000, uint40(_now() + 1 days), 1 days, price, deadline, v, r, s)
        );
        vm.prank(sponsor);
        _forwarder().execute(_request(supplierKey, address(harvester), place));
        IOrderBook.Order memory o = harvester.getOrder(1);
        assertEq(o.buyerId, _idOf(supplier1), "the signer is the buyer");
        assertEq(token.balanceOf(supplier1), 0, "the signer paid the price");
        assertEq(token.balanceOf(address(harvester)), price, "escrowed");

        _shipAt(1, harvester1, 1, 1, _ids(lotId));
        _confirmAt(1, supplier1, 1);
        _ackAt(1, supplier1, 1, 1, _ids(lotId));
        vm.prank(sponsor);
        _forwarder().execute(_request(harvesterKey, address(harvester), abi.encodeCall(IOrderBook.withdraw, (1))));
        assertEq(token.balanceOf(harvester1), price, "paid to the signer");
        assertEq(token.balanceOf(address(_forwarder())), 0, "not to the forwarder");
        assertEq(token.balanceOf(sponsor), 0, "nor to the sponsor");
    }

    function test_registry_throughExecute_actsAsTheSigner() public {
        bytes32[] memory digests = new bytes32[](1);
        digests[0] = keccak256("vessel record");
        vm.prank(sponsor);
        _forwarder().execute(
            _request(harvesterKey, address(registry), abi.encodeCall(IRegistry.anchorDocuments, (digests)))
        );
        assertEq(registry.documentAnchoredAt(harvester1, digests[0]), _now(), "anchored by the signer");
        assertEq(registry.documentAnchoredAt(address(_forwarder()), digests[0]), 0, "not by the forwarder");
    }

    function test_unauthorizedSigner_refusedAsItself() public {
        // A stranger's signed request acts as the stranger, who holds no role.
        uint256 strangerKey = uint256(keccak256(bytes("stranger")));
        ERC2771Forwarder.ForwardRequestData memory request = _request(
            strangerKey,
            address(harvester),
            abi.encodeCall(IHarvester.registerFish, (_catch(COD, 1_000)))
        );
        // `execute` reports a failed call without its reason; a batch with a refund receiver records it.
        vm.expectRevert(abi.encodeWithSelector(Errors.FailedCall.selector));
        vm.prank(sponsor);
        _forwarder().execute(request);
        ERC2771Forwarder.ForwardRequestData[] memory one = new ERC2771Forwarder.ForwardRequestData[](1);
        one[0] = request;
        vm.expectEmit(true, false, false, true, address(_forwarder()));
        emit ERC2771Forwarder.ExecutedForwardRequest(stranger, 0, false);
        vm.prank(sponsor);
        _forwarder().executeBatch(one, payable(sponsor));
        assertEq(harvester.totalAvailableFish(COD).lots, 0, "nothing registered");
    }

    // ------------------------------------------------------------------ refused by the forwarder

    function test_execute_RevertWhen_ForgedSignature() public {
        uint256 otherKey = uint256(keccak256(bytes("harvester2")));
        ERC2771Forwarder.ForwardRequestData memory request = _request(
            harvesterKey,
            address(harvester),
            abi.encodeCall(IHarvester.registerFish, (_catch(COD, 1_000)))
        );
        // Signed by harvester2, claiming to be harvester1.
        request.signature = _sign(otherKey, request, 0);
        vm.expectRevert(
            abi.encodeWithSelector(ERC2771Forwarder.ERC2771ForwarderInvalidSigner.selector, harvester2, harvester1)
        );
        vm.prank(sponsor);
        _forwarder().execute(request);
        assertFalse(_forwarder().verify(request), "verify agrees");
    }

    function test_execute_RevertWhen_Replayed() public {
        ERC2771Forwarder.ForwardRequestData memory request = _request(
            harvesterKey,
            address(harvester),
            abi.encodeCall(IHarvester.registerFish, (_catch(COD, 1_000)))
        );
        vm.prank(sponsor);
        _forwarder().execute(request);
        // The nonce moved on: the same signature now recovers another signer.
        vm.expectRevert();
        vm.prank(sponsor);
        _forwarder().execute(request);
        assertFalse(_forwarder().verify(request), "a used request no longer verifies");
        assertEq(harvester.totalAvailableFish(COD).lots, 1, "registered once");
    }

    function test_execute_RevertWhen_Expired() public {
        ERC2771Forwarder.ForwardRequestData memory request = _request(
            harvesterKey,
            address(harvester),
            abi.encodeCall(IHarvester.registerFish, (_catch(COD, 1_000)))
        );
        vm.warp(uint256(request.deadline) + 1);
        vm.expectRevert(
            abi.encodeWithSelector(ERC2771Forwarder.ERC2771ForwarderExpiredRequest.selector, request.deadline)
        );
        vm.prank(sponsor);
        _forwarder().execute(request);
    }

    // ------------------------------------------------------------------ trust

    function test_untrustedForwarder_cannotActForAnyone() public {
        ERC2771Forwarder other = ERC2771Forwarder(_deploy("FishTraceForwarder.sol:FishTraceForwarder", ""));
        assertFalse(Forwarding(address(harvester)).isTrustedForwarder(address(other)), "not trusted");
        ERC2771Forwarder.ForwardRequestData memory request = _request(
            harvesterKey,
            address(harvester),
            abi.encodeCall(IHarvester.registerFish, (_catch(COD, 1_000)))
        );
        request.signature = _signFor(other, harvesterKey, request, 0);
        vm.expectRevert(
            abi.encodeWithSelector(
                ERC2771Forwarder.ERC2771UntrustfulTarget.selector,
                address(harvester),
                address(other)
            )
        );
        vm.prank(sponsor);
        other.execute(request);
    }

    function test_appendedSender_ignoredFromAnyOtherCaller() public {
        // A caller that is not the trusted forwarder appends harvester1's address: it still acts as itself.
        bytes memory data = bytes.concat(
            abi.encodeCall(IHarvester.registerFish, (_catch(COD, 1_000))),
            bytes20(harvester1)
        );
        vm.prank(stranger);
        (bool ok, bytes memory reason) = address(harvester).call(data);
        assertFalse(ok, "refused");
        assertEq(
            reason,
            abi.encodeWithSelector(IStage.StageUnauthorized.selector, stranger, Roles.HARVESTER_BIT),
            "as the stranger"
        );
        // The registry ignores it too.
        bytes32[] memory digests = new bytes32[](1);
        digests[0] = keccak256("doc");
        vm.prank(stranger);
        (ok, reason) = address(registry).call(
            bytes.concat(abi.encodeCall(IRegistry.anchorDocuments, (digests)), bytes20(harvester1))
        );
        assertFalse(ok, "refused by the registry");
        assertEq(reason, abi.encodeWithSelector(IRegistry.RegistryNotParticipant.selector, stranger), "as itself");
    }

    function test_everyContractTrustsTheDeploymentsForwarder() public view {
        assertEq(registry.trustedForwarder(), forwarder, "registry");
        for (uint8 s = 1; s <= 6; ++s) {
            assertEq(Forwarding(address(_stage(s))).trustedForwarder(), forwarder, "stage");
        }
    }

    // ------------------------------------------------------------------ helpers

    function _forwarder() private view returns (ERC2771Forwarder) {
        return ERC2771Forwarder(forwarder);
    }

    function _request(
        uint256 key,
        address to,
        bytes memory data
    ) private view returns (ERC2771Forwarder.ForwardRequestData memory) {
        return _requestAt(key, to, data, 0);
    }

    /// @dev A request signed by `key`, its nonce `ahead` past the signer's current one (for a batch).
    function _requestAt(
        uint256 key,
        address to,
        bytes memory data,
        uint256 ahead
    ) private view returns (ERC2771Forwarder.ForwardRequestData memory request) {
        request = ERC2771Forwarder.ForwardRequestData({
            from: vm.addr(key),
            to: to,
            value: 0,
            gas: GAS,
            deadline: uint48(_now() + 1 hours),
            data: data,
            signature: ""
        });
        request.signature = _sign(key, request, ahead);
    }

    function _sign(
        uint256 key,
        ERC2771Forwarder.ForwardRequestData memory request,
        uint256 ahead
    ) private view returns (bytes memory) {
        return _signFor(_forwarder(), key, request, ahead);
    }

    /// @dev The EIP-712 signature by `key` of `request` for forwarder `on` (domain "FishTrace", version "1").
    function _signFor(
        ERC2771Forwarder on,
        uint256 key,
        ERC2771Forwarder.ForwardRequestData memory request,
        uint256 ahead
    ) private view returns (bytes memory) {
        bytes32 structHash = keccak256(
            abi.encode(
                FORWARD_REQUEST_TYPEHASH,
                request.from,
                request.to,
                request.value,
                request.gas,
                on.nonces(request.from) + ahead,
                request.deadline,
                keccak256(request.data)
            )
        );
        bytes32 domain = keccak256(
            abi.encode(DOMAIN_TYPEHASH, keccak256("FishTrace"), keccak256("1"), block.chainid, address(on))
        );
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, keccak256(abi.encodePacked("\x19\x01", domain, structHash)));
        return abi.encodePacked(r, s, v);
    }
}
