"""Order management: the order state table, parent/child tree, positions and balances."""

from slipstream.oms.manager import OrderManager
from slipstream.oms.orders import OrderState, ParentState
from slipstream.oms.portfolio import Portfolio, Position
from slipstream.oms.state import TRANSITIONS, next_status

__all__ = ["TRANSITIONS", "OrderManager", "OrderState", "ParentState", "Portfolio", "Position", "next_status"]
